using System.CommandLine;
using Bpm.Lifecycle;

namespace Bpm.Cli;

public static class ShellCommand
{
    public static Command Create()
    {
        var job = BpmCli.JobArgument();
        var process = BpmCli.ProcessOption();
        var cmd = new Command("shell", "Opens a shell inside a running BOSH process's container") { job, process };
        cmd.SetAction(r => BpmCli.Guard(() =>
        {
            HostWiring.FromEnvironment().Shell(BpmCli.RequireJob(r.GetValue(job)), r.GetValue(process), Environment.GetEnvironmentVariable("TERM") ?? "");
            return 0;
        }));
        return cmd;
    }
}
