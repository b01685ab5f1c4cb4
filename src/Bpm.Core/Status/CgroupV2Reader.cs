namespace Bpm.Status;

// cgroup v2: one unified directory per cgroup. `read` takes a file name and returns its text or null.
public static class CgroupV2Reader
{
    public static CgroupStats Read(Func<string, string?> read) => new()
    {
        MemoryBytes = CgroupText.Number(read("memory.current")),
        MemoryPeakBytes = CgroupText.Number(read("memory.peak")),
        MemoryLimitBytes = CgroupText.Number(read("memory.max")),
        Pids = CgroupText.Number(read("pids.current")),
        PidsLimit = CgroupText.Number(read("pids.max")),
        CpuSeconds = CgroupText.Field(read("cpu.stat"), "usage_usec") is { } us ? us / 1e6 : null,
        OomKills = CgroupText.Field(read("memory.events"), "oom_kill"),
    };
}
