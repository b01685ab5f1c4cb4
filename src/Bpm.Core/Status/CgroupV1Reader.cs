namespace Bpm.Status;

// cgroup v1: one hierarchy per controller, e.g. /sys/fs/cgroup/memory/<path>/memory.usage_in_bytes.
// `read` takes (controller, file) and returns the file's text or null.
public static class CgroupV1Reader
{
    // The kernel writes "no limit" as a page-aligned LONG_MAX.
    private const long Unlimited = 0x7FFFFFFFFFFFF000;

    public static CgroupStats Read(Func<string, string, string?> read) => new()
    {
        MemoryBytes = CgroupText.Number(read("memory", "memory.usage_in_bytes")),
        MemoryPeakBytes = CgroupText.Number(read("memory", "memory.max_usage_in_bytes")),
        MemoryLimitBytes = CgroupText.Number(read("memory", "memory.limit_in_bytes")) is { } l && l < Unlimited ? l : null,
        Pids = CgroupText.Number(read("pids", "pids.current")),
        PidsLimit = CgroupText.Number(read("pids", "pids.max")),
        CpuSeconds = CgroupText.Number(read("cpuacct", "cpuacct.usage")) is { } ns ? ns / 1e9 : null,
        OomKills = CgroupText.Field(read("memory", "memory.oom_control"), "oom_kill"),
    };
}
