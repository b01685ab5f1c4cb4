namespace Bpm.Spec;

public static class CapabilityNames
{
    // Every capability the kernel knows, in bit order (capability.h).
    private static readonly string[] ByNumber =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    // What a privileged container gets: the original's (docker's --privileged) set, capabilities
    // 0 through CAP_AUDIT_READ (37), so never PERFMON, BPF or CHECKPOINT_RESTORE; and of those only
    // what bpm itself holds, as asking runc for one outside its bounding set fails the start.
    public const int LastPrivileged = 37;

    public static IReadOnlyList<string> Privileged(ulong bound) =>
        ByNumber.Take(LastPrivileged + 1).Where((_, bit) => (bound & (1UL << bit)) != 0).Order(StringComparer.Ordinal).ToList();

    public static bool IsKnown(string name) => ByNumber.Contains(name, StringComparer.Ordinal);

    // Every name bpm.yml may use: the kernel's, without the prefix.
    public static IEnumerable<string> ConfigNames => ByNumber.Select(n => n["CAP_".Length..]);

    // bpm.yml names capabilities without the prefix.
    public static IReadOnlyList<string> FromConfig(IEnumerable<string> names) => names.Select(n => "CAP_" + n).ToList();
}
