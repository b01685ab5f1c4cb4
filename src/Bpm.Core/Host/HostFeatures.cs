namespace Bpm.Host;

// What the host offers, read once per command.
// Systemd: systemd manages the cgroups (runc gets --systemd-cgroup); see CgroupLayout.
// Rosetta: x86_64 binaries translated on an arm64 VM, where seccomp filters for x86_64 cannot apply.
// CapabilityBound: the capabilities bpm itself may hand on (its bounding set, one bit each).
public sealed record HostFeatures(bool SwapLimit, bool Systemd, bool Rosetta = false, ulong CapabilityBound = ulong.MaxValue)
{
    private static ulong BoundingSet() => ProcStatus.Bits(Environment.ProcessId, "CapBnd") ?? ulong.MaxValue;

    public static HostFeatures Detect(CgroupLayout cgroups)
    {
        const string mount = CgroupLayout.Mount;
        bool swap = cgroups.Version == CgroupVersion.V2
            ? File.Exists(Path.Join(mount, cgroups.OwnPath, "memory.swap.max")) || File.Exists(Path.Join(mount, "init.scope/memory.swap.max"))
            : cgroups.Hierarchies.TryGetValue("memory", out var memory) && File.Exists(Path.Join(memory, "memory.memsw.limit_in_bytes"));
        bool rosetta = File.Exists("/proc/sys/fs/binfmt_misc/rosetta");
        return new HostFeatures(swap, cgroups.Systemd, rosetta, BoundingSet());
    }
}
