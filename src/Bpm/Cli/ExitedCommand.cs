using System.CommandLine;
using Bpm.Lifecycle;

namespace Bpm.Cli;

// Not for operators: what a waiter (bpm-waiter) becomes when the container's process has ended.
// Left out of usage, help, the man page and completion.
public static class ExitedCommand
{
    public static Command Create()
    {
        var job = BpmCli.JobArgument();
        var process = BpmCli.ProcessOption();
        var status = new Option<int>("--status") { Description = "the wait status of the container's init", Required = true };
        var at = new Option<long>("--at") { Description = "when it ended, in milliseconds since the epoch", Required = true };
        var cmd = new Command("exited", "Records how a detached process ended (run by its waiter)") { job, process, status, at };
        cmd.Hidden = true;
        cmd.SetAction(r => BpmCli.Guard(() =>
        {
            HostWiring.FromEnvironment().Exited(BpmCli.RequireJob(r.GetValue(job)), r.GetValue(process),
                r.GetValue(status), DateTimeOffset.FromUnixTimeMilliseconds(r.GetValue(at)), Environment.ProcessId);
            return 0;
        }));
        return cmd;
    }
}
