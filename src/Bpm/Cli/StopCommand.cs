using System.CommandLine;
using Bpm.Lifecycle;

namespace Bpm.Cli;

public static class StopCommand
{
    public static Command Create()
    {
        var job = BpmCli.JobArgument();
        var process = BpmCli.ProcessOption();
        var cmd = new Command("stop", "Stops a BOSH process") { job, process };
        cmd.SetAction(r => BpmCli.Guard(() =>
        {
            HostWiring.FromEnvironment().Stop(BpmCli.RequireJob(r.GetValue(job)), r.GetValue(process));
            return 0;
        }));
        return cmd;
    }
}
