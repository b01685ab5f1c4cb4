using Bpm.Bosh;
using Bpm.Config;

namespace Bpm.Lifecycle;

// One process of one job, with its configuration loaded.
public sealed record JobProcess(JobPaths Paths, ProcessConfig Config)
{
    public string Job => Paths.Job;
    public string Process => Paths.Process;
    public string ContainerId => Paths.ContainerId;
}
