namespace Bpm.Host;

// What the host offers, read once per command.
// Rosetta: x86_64 binaries translated on an arm64 VM, where seccomp filters for x86_64 cannot apply.
// CapabilityBound: the capabilities bpm itself may hand on (its bounding set, one bit each).
public sealed record HostFeatures(bool SwapLimit, bool Systemd, bool CgroupV2Only, bool Rosetta = false, ulong CapabilityBound = ulong.MaxValue)
{
    private static ulong BoundingSet()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("CapBnd:", StringComparison.Ordinal)
                && ulong.TryParse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, null, out var bits))
                return bits;
        return ulong.MaxValue;
    }

    public static HostFeatures Detect()
    {
        bool v2Only = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        bool swap = v2Only
            ? File.Exists(Path.Join("/sys/fs/cgroup", Cgroups.OwnPath(), "memory.swap.max")) || File.Exists("/sys/fs/cgroup/init.scope/memory.swap.max")
            : File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");
        bool rosetta = File.Exists("/proc/sys/fs/binfmt_misc/rosetta");
        return new HostFeatures(swap, Directory.Exists("/run/systemd/system"), v2Only, rosetta, BoundingSet());
    }
}
