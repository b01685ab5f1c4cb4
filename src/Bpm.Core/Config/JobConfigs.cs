using Bpm.Bosh;
using Bpm.Host;
using Bpm.Identity;
using Bpm.Lifecycle;

namespace Bpm.Config;

// The bpm.yml of every job under the root's jobs/ dir.
public sealed class JobConfigs(BoshRoot root) : IJobConfigs
{
    public IReadOnlyList<string> Jobs()
    {
        if (!Directory.Exists(root.JobsDir)) return [];
        return Directory.EnumerateDirectories(root.JobsDir).Select(Path.GetFileName).OfType<string>()
            .Where(job => File.Exists(root.ConfigPath(job))).Order(StringComparer.Ordinal).ToList();
    }

    public JobConfig Load(string job)
    {
        if (ProcessRef.NameProblem("job", job) is { } problem) throw new BpmException(problem);
        var file = root.ConfigPath(job);
        var (config, errors) = ConfigParser.ParseFile(file);
        if (config is null) throw new ConfigException(errors);
        var invalid = ConfigValidator.Validate(file, job, config, root.Path, StackLimit.ExecTotal());
        if (invalid.Count > 0) throw new ConfigException(invalid);
        return config;
    }

    public IReadOnlyList<string> Check(string job, ProcessConfig config) =>
        ConfigValidator.Validate(job, config, root.Path, StackLimit.ExecTotal()).Select(e => e.Message).ToList();
}
