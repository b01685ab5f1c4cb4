using System.CommandLine;
using Bpm.Bosh;
using Bpm.Host;
using Bpm.Identity;
using Bpm.Logging;

namespace Bpm.Cli;

// Tail semantics, so `tail` does the work, on the files opened safely (LogTail).
public static class LogsCommand
{
    public static Command Create()
    {
        var job = BpmCli.JobArgument();
        var process = BpmCli.ProcessOption();
        var all = new Option<bool>("--all", "-a") { Description = "show both stdout and stderr logs" };
        var err = new Option<bool>("--err", "-e") { Description = "show the stderr log" };
        var follow = new Option<bool>("--follow", "-f") { Description = "follow the logs as they grow" };
        var lines = new Option<int>("--lines", "-n") { Description = "number of lines to show", DefaultValueFactory = _ => 25 };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "no file headers" };
        var cmd = new Command("logs", "Shows the logs of a BOSH process") { job, process, all, err, follow, lines, quiet };
        cmd.SetAction(r => BpmCli.Guard(() =>
        {
            var paths = ProcessRef.Of(BoshRoot.FromEnvironment(), BpmCli.RequireJob(r.GetValue(job)), r.GetValue(process));
            var files = new List<string>();
            if (r.GetValue(all)) files.AddRange([paths.Stdout, paths.Stderr]);
            else files.Add(r.GetValue(err) ? paths.Stderr : paths.Stdout);
            if (r.GetValue(lines) < 0) throw new BpmException("number of lines must not be negative");
            return LogTail.Show(files, r.GetValue(lines), r.GetValue(follow), r.GetValue(quiet));
        }));
        return cmd;
    }
}
