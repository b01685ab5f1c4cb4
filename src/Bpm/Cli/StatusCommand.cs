using System.CommandLine;
using System.Text.Json;
using Bpm.Lifecycle;
using Bpm.Logging;
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
        var lines = new Option<int>("--lines", "-n") { Description = "log lines to end with, from stdout and stderr (0: none)", DefaultValueFactory = _ => 10 };
        var cmd = new Command("status", "Shows a process's state, resource use, how it last ended and its last log lines") { job, process, json, lines };
        cmd.SetAction(r => BpmCli.Guard(() =>
        {
            if (r.GetValue(lines) < 0) throw new BpmException("number of lines must not be negative");
            var lifecycle = HostWiring.FromEnvironment();
            var report = lifecycle.Status(BpmCli.RequireJob(r.GetValue(job)), r.GetValue(process));
            if (r.GetValue(json))
            {
                Console.Out.Write(JsonSerializer.Serialize(report, OutputJson.Default.StatusReport) + "\n");
                return 0;
            }
            Console.Out.Write(StatusText.Format(report));
            if (r.GetValue(lines) == 0) return 0;
            // As systemctl status ends with the journal: the logs, opened as bpm logs opens them.
            var p = lifecycle.Ref(report.Job, report.Process);
            var logs = new[] { p.Stdout, p.Stderr }.Where(File.Exists).ToList();
            if (logs.Count == 0) return 0;
            Console.Out.Write("\n");
            Console.Out.Flush();
            try { LogTail.Show(logs, r.GetValue(lines), follow: false, quiet: false); }
            catch (BpmException e) { Console.Error.WriteLine("Error: " + e.Message.ReplaceLineEndings(" ")); }
            return 0;
        }));
        return cmd;
    }
}
