using System.CommandLine;
using System.Text.Json;
using Bpm.Lifecycle;
using Bpm.Output;
using Bpm.Status;

namespace Bpm.Cli;

public static class StatusCommand
{
    public static Command Create()
    {
        var job = BpmCli.JobArgument();
        var process = BpmCli.ProcessOption();
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var cmd = new Command("status", "Shows a process's state, resource use and why it last exited") { job, process, json };
        cmd.SetAction(r => BpmCli.Guard(() =>
        {
            var report = HostWiring.FromEnvironment().Status(BpmCli.RequireJob(r.GetValue(job)), r.GetValue(process));
            Console.Out.Write(r.GetValue(json)
                ? JsonSerializer.Serialize(report, OutputJson.Default.StatusReport) + "\n"
                : StatusText.Format(report));
            return 0;
        }));
        return cmd;
    }
}
