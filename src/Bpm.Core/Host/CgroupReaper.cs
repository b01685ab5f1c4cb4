using System.Globalization;
using Bpm.Interop;

namespace Bpm.Host;

// Kills every process left in a container's cgroups and removes them. Used when runc has lost
// track of a container (its state file is gone or unreadable): runc will not delete what it
// cannot load, and the job's processes would otherwise run on, unsupervised.
public static class CgroupReaper
{
    public static void KillAndRemove(CgroupLayout layout, string cgroupsPath)
    {
        var dirs = layout.Dirs(cgroupsPath).Where(Directory.Exists).ToList();
        if (dirs.Count == 0) return;
        var deadline = Environment.TickCount64 + 5000;
        foreach (var dir in dirs)
        {
            while (KillAll(dir) && Environment.TickCount64 < deadline) Thread.Sleep(5);
        }
        // Under systemd the cgroup is a scope unit's: the unit goes too, or the next runc would
        // find a unit of that name still there.
        if (layout.Systemd && CgroupLayout.Unit(cgroupsPath) is { } unit) StopUnit(unit);
        // The last processes may need a moment to be reaped before the directory can go.
        foreach (var dir in dirs)
        {
            while (Directory.Exists(dir))
            {
                try { Directory.Delete(dir); break; }
                catch (DirectoryNotFoundException) { break; }
                catch (IOException) when (Environment.TickCount64 < deadline) { Thread.Sleep(5); }
                catch (IOException) { break; }
            }
        }
    }

    // Stops the (now empty) unit and forgets it if it failed; systemd removes its cgroups.
    private static void StopUnit(string unit)
    {
        if (Tools.TryFind("systemctl") is not { } systemctl) return;
        ChildProcess.Capture(systemctl, ["stop", "--quiet", unit]);
        ChildProcess.Capture(systemctl, ["reset-failed", "--quiet", unit]);
    }

    // Sends SIGKILL to each process in the cgroup; true when there were any.
    private static bool KillAll(string dir)
    {
        string text;
        try { text = File.ReadAllText(Path.Join(dir, "cgroup.procs")); }
        catch (IOException) { return false; }
        bool any = false;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1)
            {
                Libc.Kill(pid, Libc.SIGKILL);
                any = true;
            }
        }
        return any;
    }
}
