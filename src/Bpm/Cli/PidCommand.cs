using System.CommandLine;
using Bpm.Lifecycle;

namespace Bpm.Cli;

public static class PidCommand
{
    public static Command Create()
    {
        var job = BpmCli.JobArgument();
        var process = BpmCli.ProcessOption();
        var cmd = new Command("pid", "Prints the pid of a running BOSH process") { job, process };
        cmd.SetAction(r => BpmCli.Guard(() =>
        {
            Console.Out.Write(HostWiring.FromEnvironment().Pid(BpmCli.RequireJob(r.GetValue(job)), r.GetValue(process)) + "\n");
            return 0;
        }));
        return cmd;
    }
}
