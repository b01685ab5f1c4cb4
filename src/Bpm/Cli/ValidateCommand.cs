using System.CommandLine;
using Bpm.Bosh;
using Bpm.Config;
using Bpm.Host;

namespace Bpm.Cli;

// bpm validate: every problem in one or more bpm.yml files, for a release author's CI.
// Reads files only, so it needs no root. Errors fail it; warnings (what start and run accept but
// is probably a mistake, such as a misspelt key) fail it only with --strict.
public static class ValidateCommand
{
    public static Command Create()
    {
        var job = BpmCli.JobArgument();
        var file = new Option<string?>("--file", "-f") { Description = "validate this file instead of a job's bpm.yml" };
        var jobName = new Option<string?>("--job") { Description = "with --file: the job the file belongs to (default: taken from .../JOB/config/bpm.yml)" };
        var strict = new Option<bool>("--strict") { Description = "fail on warnings too (unknown keys, settings that do nothing)" };
        var cmd = new Command("validate", "Checks bpm.yml files and reports every error and warning with its line and column") { job, file, jobName, strict };
        cmd.SetAction(r =>
        {
            try
            {
                var root = BoshRoot.FromEnvironment();
                var targets = new List<(string Job, string File)>();
                if (r.GetValue(file) is { } path)
                    targets.Add((r.GetValue(jobName) ?? JobOf(path), path));
                else if (r.GetValue(job) is { Length: > 0 } name)
                    targets.Add((name, root.ConfigPath(name)));
                else if (Directory.Exists(root.JobsDir))
                    foreach (var dir in Directory.EnumerateDirectories(root.JobsDir).Order(StringComparer.Ordinal))
                        if (File.Exists(root.ConfigPath(Path.GetFileName(dir))))
                            targets.Add((Path.GetFileName(dir), root.ConfigPath(Path.GetFileName(dir))));

                bool failOnWarnings = r.GetValue(strict);
                long execTotal = StackLimit.ExecTotal();
                int failures = 0;
                foreach (var (jobName_, path_) in targets)
                {
                    var (config, errors, warnings) = ConfigParser.ReadFile(path_, partial: true);
                    var all = errors.Concat(warnings).ToList();
                    if (config is not null)
                    {
                        all.AddRange(ConfigValidator.Validate(path_, jobName_, config, root.Path, execTotal));
                        all.AddRange(ConfigValidator.Warnings(path_, config));
                    }
                    foreach (var e in all.OrderBy(e => e.Line).ThenBy(e => e.Column)) Console.Error.WriteLine(e.ToString());
                    int warned = all.Count(e => e.Warning);
                    if (all.Count > warned || (failOnWarnings && warned > 0)) failures++;
                    else if (warned > 0) Console.Out.Write($"{path_}: ok, {warned} warning{(warned == 1 ? "" : "s")}\n");
                    else Console.Out.Write($"{path_}: ok\n");
                }
                return failures == 0 ? 0 : 1;
            }
            catch (Exception e)
            {
                return BpmCli.Fail(e);
            }
        });
        return cmd;
    }

    // .../jobs/JOB/config/bpm.yml → JOB
    private static string JobOf(string path)
    {
        var full = Path.GetFullPath(path);
        var configDir = Path.GetDirectoryName(full);
        return Path.GetFileName(configDir) == "config" ? Path.GetFileName(Path.GetDirectoryName(configDir)) ?? "job" : "job";
    }
}
