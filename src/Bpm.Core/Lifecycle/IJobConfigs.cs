using Bpm.Config;

namespace Bpm.Lifecycle;

// The jobs' bpm.yml files.
public interface IJobConfigs
{
    // Every job with a bpm.yml, by name, in order.
    IReadOnlyList<string> Jobs();

    // Parsed and checked; throws a ConfigException (a BpmException) when it cannot be used.
    JobConfig Load(string job);

    // The problems with one process's config as a command would run it (after `bpm run`'s overrides).
    IReadOnlyList<string> Check(string job, ProcessConfig config);
}
