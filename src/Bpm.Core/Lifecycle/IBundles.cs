using Bpm.Config;
using Bpm.Host;
using Bpm.Identity;

namespace Bpm.Lifecycle;

// The OCI bundle of a process (data/bpm/bundles/JOB/PROC): its spec, built from the config.
public interface IBundles
{
    // Builds the spec from the config and the prepared mount sources, and writes the bundle.
    void Write(ProcessRef p, ProcessConfig config, UserIds vcap, MountSources sources);

    bool Exists(ProcessRef p);

    void Remove(ProcessRef p);

    // The environment the process gets, which its pre-start hook gets too.
    IReadOnlyList<string> Environment(ProcessRef p, ProcessConfig config);

    // Where a container of this process goes now (the host's layout decides).
    string CgroupsPath(ProcessRef p);

    // Where the container in the bundle was placed, as its config.json says; null when unreadable.
    string? WrittenCgroupsPath(ProcessRef p);
}
