namespace Bpm.Config;

public sealed record UnsafeConfig
{
    public bool Privileged { get; init; }
    public bool HostPidNamespace { get; init; }
    public IReadOnlyList<Volume> UnrestrictedVolumes { get; init; } = [];
}
