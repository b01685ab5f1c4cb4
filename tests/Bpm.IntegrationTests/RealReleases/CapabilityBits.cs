using System.Globalization;

namespace Bpm.IntegrationTests.RealReleases;

/// <summary>Kernel capability names (without CAP_) and the masks /proc/PID/status shows.</summary>
public static class CapabilityBits
{
    private static readonly string[] Names =
    [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
        "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
        "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
        "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
        "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
        "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
    ];

    /// <summary>What privileged gets, as Docker's --privileged does: CHOWN through AUDIT_READ.</summary>
    public const ulong Privileged = (1UL << 38) - 1;

    public static ulong Mask(IEnumerable<string> names) =>
        names.Aggregate(0UL, (m, n) => m | 1UL << Array.IndexOf(Names, n) switch
        {
            < 0 => throw new ArgumentException("unknown capability " + n),
            var i => i,
        });

    /// <summary>The mask on the line "FIELD:\tHEX" of a /proc/PID/status text.</summary>
    public static ulong Read(string status, string field)
    {
        var line = status.Split('\n').Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return ulong.Parse(line[(field.Length + 1)..].Trim(), NumberStyles.HexNumber);
    }

    /// <summary>This process's bounding set: runc cannot grant a capability outside the one bpm has.</summary>
    public static ulong HostBound => Read(File.ReadAllText("/proc/self/status"), "CapBnd");

    public static string Hex(ulong mask) => mask.ToString("x16");
}
