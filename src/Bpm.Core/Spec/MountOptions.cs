using Bpm.Oci;

namespace Bpm.Spec;

// Bind mounts as bpm writes them: bind|rbind, exec|noexec, nosuid, nodev, rw|ro.
public static class MountOptions
{
    public static Mount Bind(string source, string destination, bool recursive = false, bool exec = false, bool writable = false) => new()
    {
        Destination = destination,
        Type = "bind",
        Source = source,
        Options = [recursive ? "rbind" : "bind", exec ? "exec" : "noexec", "nosuid", "nodev", writable ? "rw" : "ro"],
    };

    // The kernel filesystems every container gets.
    public static IReadOnlyList<Mount> Defaults { get; } =
    [
        new() { Destination = "/proc", Type = "proc", Source = "proc" },
        new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "noexec", "mode=755"] },
        new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
        new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777"] },
        new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
    ];
}
