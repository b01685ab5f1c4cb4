using Bpm.Bosh;
using Bpm.Identity;
using Bpm.Host;

namespace Bpm.Spec;

// Everything about the host that the spec depends on, gathered up front so that building the
// spec stays a pure function (and golden tests can pin it down).
public sealed record SpecContext
{
    public required ProcessRef Paths { get; init; }
    public required UserIds Vcap { get; init; }
    public required HostFeatures Features { get; init; }
    // The host's cgroup layout: where bpm itself sits, and whether systemd places containers.
    public required CgroupLayout Cgroups { get; init; }
    public required Func<string, bool> DirectoryExists { get; init; }
    // Expands a host-side glob to the host paths it matches.
    public required Func<string, IReadOnlyList<string>> Glob { get; init; }
    // Host directories bpm has pinned for runc (see MountStage): host path → staging path.
    public IReadOnlyDictionary<string, string> StagedSources { get; init; } = new Dictionary<string, string>();
}
