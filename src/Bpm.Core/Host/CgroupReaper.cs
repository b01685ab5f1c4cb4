using System.Globalization;
using Bpm.Interop;

namespace Bpm.Host;

// Kills every process left in a container's cgroups and removes them. Used when runc has lost
// track of a container (its state file is gone or unreadable): runc will not delete what it
// cannot load, and the job's processes would otherwise run on, unsupervised.
public static class CgroupReaper
{
    public static void KillAndRemove(string cgroupsPath)
    {
        var relative = cgroupsPath.Trim('/');
        if (relative == "" || relative.Contains("..") || cgroupsPath.Contains(':')) return;
        var dirs = Hierarchies().Select(h => Path.Join(h, relative)).Where(Directory.Exists).ToList();
        var deadline = Environment.TickCount64 + 5000;
        foreach (var dir in dirs)
        {
            while (KillAll(dir) && Environment.TickCount64 < deadline) Thread.Sleep(5);
        }
        // The last processes may need a moment to be reaped before the directory can go.
        foreach (var dir in dirs)
        {
            while (true)
            {
                try { Directory.Delete(dir); break; }
                catch (IOException) when (Environment.TickCount64 < deadline) { Thread.Sleep(5); }
                catch (IOException) { break; }
            }
        }
    }

    private static IEnumerable<string> Hierarchies()
    {
        if (File.Exists(Path.Join(Cgroups.Mount, "cgroup.controllers"))) return [Cgroups.Mount];
        return Directory.Exists(Cgroups.Mount) ? Directory.EnumerateDirectories(Cgroups.Mount) : [];
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
