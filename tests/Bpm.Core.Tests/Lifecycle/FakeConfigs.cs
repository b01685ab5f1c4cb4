using Bpm.Config;
using Bpm.Lifecycle;

namespace Bpm.Tests.Lifecycle;

// The jobs' bpm.yml files, already parsed. A job named in Broken fails to load with its message.
public sealed class FakeConfigs(Journal journal) : IJobConfigs
{
    public SortedDictionary<string, JobConfig> Configs { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, string> Broken { get; } = new(StringComparer.Ordinal);
    // What Check finds wrong with any process.
    public List<string> Problems { get; } = [];
    public ProcessConfig? LastChecked { get; private set; }

    public IReadOnlyList<string> Jobs()
    {
        journal.Note("configs.jobs");
        return Configs.Keys.Concat(Broken.Keys).Order(StringComparer.Ordinal).ToList();
    }

    public JobConfig Load(string job)
    {
        journal.Note($"configs.load {job}");
        if (Broken.TryGetValue(job, out var message))
            throw new ConfigException([new ConfigError($"/jobs/{job}/config/bpm.yml", 3, 7, message)]);
        return Configs.TryGetValue(job, out var config)
            ? config
            : throw new ConfigException([new ConfigError($"/jobs/{job}/config/bpm.yml", 0, 0, "no such file or directory")]);
    }

    public IReadOnlyList<string> Check(string job, ProcessConfig config)
    {
        journal.Note($"configs.check {job}");
        LastChecked = config;
        return Problems;
    }
}
