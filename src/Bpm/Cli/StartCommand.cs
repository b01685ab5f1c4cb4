using System.CommandLine;
using Bpm.Lifecycle;

namespace Bpm.Cli;

public static class StartCommand
{
    public static Command Create()
    {
        var job = BpmCli.JobArgument();
        var process = BpmCli.ProcessOption();
        var cmd = new Command("start", "Starts a BOSH process") { job, process };
        cmd.SetAction(r => BpmCli.Guard(() =>
        {
            HostWiring.FromEnvironment().Start(BpmCli.RequireJob(r.GetValue(job)), r.GetValue(process));
            return 0;
        }));
        return cmd;
    }
}
