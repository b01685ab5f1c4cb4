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
            var ctx = BpmContext.FromEnvironment();
            var name = BpmCli.RequireJob(r.GetValue(job));
            Inspector.RunningPid(ctx, name, r.GetValue(process));
            var id = JobLoader.PathsFor(ctx.Root, name, r.GetValue(process)).ContainerId;
            var term = Environment.GetEnvironmentVariable("TERM") ?? "";
            ctx.Runc.Exec(id, ["--tty", "--env", "TERM=" + term, id, "/bin/bash"]);
            return 0;
        }));
        return cmd;
    }
}
