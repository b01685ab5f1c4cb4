using System.CommandLine;
using Bpm.Lifecycle;

namespace Bpm.Cli;

public static class RunCommand
{
    public static Command Create()
    {
        var job = BpmCli.JobArgument();
        var process = BpmCli.ProcessOption();
        var volumes = new Option<string[]>("--volume", "-v") { Description = "an extra volume: PATH[:OPTIONS], options writable, mount_only, allow_executions, shared" };
        var env = new Option<string[]>("--env", "-e") { Description = "an extra environment variable: KEY=VALUE" };
        var cmd = new Command("run", "Runs a BOSH process in the foreground and exits with its status") { job, process, volumes, env };
        cmd.SetAction(r => BpmCli.Guard(() =>
        {
            int code = HostWiring.FromEnvironment().Run(BpmCli.RequireJob(r.GetValue(job)), r.GetValue(process),
                r.GetValue(volumes) ?? [], r.GetValue(env) ?? []);
            if (code == 0) return 0;
            Console.Error.WriteLine($"Error: failed to run job-process: exit status {code}");
            return code;
        }));
        return cmd;
    }
}
