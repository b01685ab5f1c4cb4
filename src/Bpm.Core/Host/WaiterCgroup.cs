namespace Bpm.Host;

// Under systemd, stopping a unit kills every process left in its cgroup, and a waiter starts in
// the cgroup of whoever ran bpm start (monit's unit, a `systemd-run`): the unit's end would take
// the waiters with it, and the ends of its jobs would go unrecorded. So there the waiter is moved
// into a cgroup of bpm's that no unit owns, in the hierarchies systemd tracks units by. runc, which
// the waiter then runs, moves the container's init into the container's own scope as before.
// Without systemd nothing is moved: nobody kills by cgroup there.
public static class WaiterCgroup
{
    public const string Name = "bpm-waiters";

    // The cgroup directories to move a waiter into; none without systemd.
    public static IReadOnlyList<string> Dirs(CgroupLayout layout)
    {
        if (!layout.Systemd) return [];
        if (layout.Version == CgroupVersion.V2) return [Path.Join(CgroupLayout.Mount, Name)];
        var dirs = new List<string>();
        foreach (var (dir, options) in layout.V1Mounts)
            if (options == "name=systemd") dirs.Add(Path.Join(dir, Name));
        if (layout.Version == CgroupVersion.Hybrid) dirs.Add(Path.Join(CgroupLayout.Mount, "unified", Name));
        return dirs;
    }

    // Best effort: a waiter left where it is still works, until its caller's unit stops.
    public static void Adopt(CgroupLayout layout, int pid)
    {
        foreach (var dir in Dirs(layout))
        {
            try
            {
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Join(dir, "cgroup.procs"), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
