using Bpm.Interop;

namespace Bpm.Host;

// runc needs the v1 hierarchies mounted. An init system mounts them; on a host without one
// (this project's own test VMs) bpm mounts them as bpm's own cgroups are grouped.
public static class CgroupMounts
{
    // Never on a v2 host or under systemd, which mounts what it uses itself.
    public static void EnsureV1(CgroupLayout layout)
    {
        if (!layout.MountsV1) return;
        // Every start asks; a few file checks answer it on a host that has them all mounted.
        if (layout.V1Mounts.Keys.All(dir => File.Exists(Path.Join(dir, "cgroup.procs")))) return;
        var mounted = MountInfo.MountPoints().ToHashSet();
        if (!mounted.Contains(CgroupLayout.Mount))
        {
            Directory.CreateDirectory(CgroupLayout.Mount);
            if (Libc.Mount("cgroup", CgroupLayout.Mount, "tmpfs", 0, "mode=755") != 0) throw Libc.Error("mount tmpfs", CgroupLayout.Mount);
        }
        foreach (var (dir, options) in layout.V1Mounts)
        {
            if (mounted.Contains(dir)) continue;
            Directory.CreateDirectory(dir);
            if (Libc.Mount("cgroup", dir, "cgroup", 0, options) != 0) throw Libc.Error("mount cgroup", dir);
        }
    }
}
