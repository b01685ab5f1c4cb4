namespace Bpm.Status;

// Resource figures of one container's cgroup; null where the host does not report a figure.
public sealed record CgroupStats
{
    public long? MemoryBytes { get; init; }
    public long? MemoryPeakBytes { get; init; }
    public long? MemoryLimitBytes { get; init; }
    public long? Pids { get; init; }
    public long? PidsLimit { get; init; }
    public double? CpuSeconds { get; init; }
    public long? OomKills { get; init; }
}
