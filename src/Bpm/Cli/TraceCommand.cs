using System.CommandLine;
using System.Globalization;
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
            int pid = HostWiring.FromEnvironment().Pid(BpmCli.RequireJob(r.GetValue(job)), r.GetValue(process));
            // Ctrl-C, or any signal bpm receives, is for strace, which detaches and leaves the
            // process running; bpm exits when strace has.
            using var relay = new SignalRelay();
            int strace = ChildProcess.SpawnTied(Tools.Find("strace"), ["-s", "100", "-f", "-y", "-yy", "-p", pid.ToString(CultureInfo.InvariantCulture)]);
            relay.Add(strace);
            relay.Wait(strace);
            return 0;
        }));
        return cmd;
    }
}
