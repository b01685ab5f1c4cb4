namespace Bpm.Config;

// jobs/JOB/config/bpm.yml, typed.
public sealed record JobConfig(IReadOnlyList<ProcessConfig> Processes)
{
    public ProcessConfig? Find(string name) => Processes.FirstOrDefault(p => p.Name == name);
}
