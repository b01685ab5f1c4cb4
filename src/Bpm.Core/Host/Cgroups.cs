using Bpm.Interop;

namespace Bpm.Host;

// The cgroup side of the host: where bpm itself sits, and the v1 hierarchies that runc needs
// mounted when no init system has done it.
public static class Cgroups
{
    public const string Mount = "/sys/fs/cgroup";

    private static string? _self;

    // /proc/self/cgroup, read once per command.
    private static string Self => _self ??= File.ReadAllText("/proc/self/cgroup");

    // bpm's own cgroup, the parent of every container it starts: its v2 cgroup, the "0::" line
    // (contract §5). On a v1 host that one path serves in every hierarchy, so runc creates and
    // removes exactly PARENT/ID in each; a v1 path (memory's, say) would be missing from the
    // other hierarchies, and the directories runc made for it there would stay after every stop.
    // A kernel that lists no "0::" line gets the root of every hierarchy, which always exists.
    public static string OwnPath(string? procSelfCgroup = null) =>
        procSelfCgroup is null ? CgroupLayout.Host.OwnPath : CgroupLayout.Parse(procSelfCgroup, "", systemd: false).OwnPath;

    // v1 hierarchies of this process: (the controllers as /proc/self/cgroup lists them, the name
    // of their directory under /sys/fs/cgroup).
    private static IEnumerable<(string Controllers, string Dir)> V1Hierarchies()
    {
        foreach (var line in Self.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3 || parts[1] == "") continue;
            yield return (parts[1], parts[1].StartsWith("name=", StringComparison.Ordinal) ? parts[1]["name=".Length..] : parts[1]);
        }
    }

    // Mounts the v1 hierarchies under /sys/fs/cgroup, grouped as this process's own cgroups are;
    // never on a v2 host or under systemd, which mounts what it uses itself.
    public static void EnsureV1Mounted(CgroupLayout layout)
    {
        if (!layout.MountsV1) return;
        // Every start asks; a few file checks answer it on a host that has them all mounted.
        if (V1Hierarchies().All(h => File.Exists(Path.Join(Mount, h.Dir, "cgroup.procs")))) return;
        var mounts = MountInfo.MountPoints().ToHashSet();
        if (!mounts.Contains(Mount))
        {
            Directory.CreateDirectory(Mount);
            if (Libc.Mount("cgroup", Mount, "tmpfs", 0, "mode=755") != 0) throw Libc.Error("mount tmpfs", Mount);
        }
        foreach (var (controllers, dir) in V1Hierarchies())
        {
            var target = Path.Join(Mount, dir);
            if (mounts.Contains(target)) continue;
            Directory.CreateDirectory(target);
            if (Libc.Mount("cgroup", target, "cgroup", 0, controllers) != 0) throw Libc.Error("mount cgroup", target);
        }
    }
}
