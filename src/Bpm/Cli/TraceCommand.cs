using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Bpm.Host;
using Bpm.Lifecycle;

namespace Bpm.Cli;

public static class TraceCommand
{
    public static Command Create()
    {
        var job = BpmCli.JobArgument();
        var process = BpmCli.ProcessOption();
        var cmd = new Command("trace", "Traces a running BOSH process with strace") { job, process };
        cmd.SetAction(r => BpmCli.Guard(() =>
        {
            int pid = Inspector.RunningPid(BpmContext.FromEnvironment(), BpmCli.RequireJob(r.GetValue(job)), r.GetValue(process));
            // Ctrl-C is for strace (which detaches); bpm itself waits for it and exits cleanly.
            using var ignore = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
            ChildProcess.Run(Tools.Find("strace"), ["-s", "100", "-f", "-y", "-yy", "-p", pid.ToString(CultureInfo.InvariantCulture)]);
            return 0;
        }));
        return cmd;
    }
}
