using System.Text.RegularExpressions;

namespace Bpm.IntegrationTests.RealReleases;

/// <summary>One mount of a process's mount namespace, from /proc/PID/mountinfo.</summary>
public sealed record MountEntry(string Point, IReadOnlyList<string> Options, string Optional)
{
    public bool Has(string option) => Options.Contains(option);
}

/// <summary>
/// A running container's process as the host sees it through /proc: tini (the pidfile's pid)
/// and the job's process below it.
/// </summary>
public sealed class ContainerView
{
    public int Init { get; }
    public int Child { get; }

    private ContainerView(int init, int child)
    {
        Init = init;
        Child = child;
    }

    /// <summary>Waits for tini's child (the job's process) to exist.</summary>
    public static ContainerView Of(int init)
    {
        var child = 0;
        BoshRoot.WaitFor(() => (child = Children(init).FirstOrDefault()) != 0, $"a child of tini (pid {init})");
        return new ContainerView(init, child);
    }

    private static List<int> Children(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/task/{pid}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        }
        catch (IOException)
        {
            return [];
        }
    }

    public string Status => File.ReadAllText($"/proc/{Child}/status");

    public int Uid => int.Parse(Regex.Match(Status, @"^Uid:\s+(\d+)", RegexOptions.Multiline).Groups[1].Value);

    public IReadOnlyList<string> Environment =>
        File.ReadAllText($"/proc/{Child}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>(soft, hard) of a line of /proc/PID/limits, "unlimited" as -1.</summary>
    public (long Soft, long Hard) Limit(string name)
    {
        var line = File.ReadAllLines($"/proc/{Child}/limits").Single(l => l.StartsWith(name, StringComparison.Ordinal));
        var f = line[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        static long Value(string s) => s == "unlimited" ? -1 : long.Parse(s);
        return (Value(f[0]), Value(f[1]));
    }

    public bool SharesHostPidNamespace =>
        new FileInfo($"/proc/{Init}/ns/pid").LinkTarget == new FileInfo("/proc/self/ns/pid").LinkTarget;

    /// <summary>The topmost mount at each mount point of the container's namespace.</summary>
    public IReadOnlyDictionary<string, MountEntry> Mounts()
    {
        var result = new Dictionary<string, MountEntry>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines($"/proc/{Init}/mountinfo"))
        {
            var f = line.Split(' ');
            var dash = Array.IndexOf(f, "-");
            var point = Regex.Replace(f[4], @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());
            result[point] = new MountEntry(point, f[5].Split(','), string.Join(' ', f[6..dash]));
        }
        return result;
    }

    /// <summary>The host directories of the container's cgroups, one per hierarchy that has one.</summary>
    public IReadOnlyList<string> CgroupDirs()
    {
        var dirs = new List<string>();
        foreach (var line in File.ReadAllLines($"/proc/{Init}/cgroup"))
        {
            var f = line.Split(':', 3);
            if (f.Length != 3 || f[2] == "/")
            {
                continue;
            }
            var hierarchy = f[1].Length == 0 ? (File.Exists("/sys/fs/cgroup/cgroup.controllers") ? "" : "unified")
                : f[1].StartsWith("name=", StringComparison.Ordinal) ? f[1][5..] : f[1];
            var dir = "/sys/fs/cgroup" + (hierarchy.Length == 0 ? "" : "/" + hierarchy) + f[2];
            if (Directory.Exists(dir))
            {
                dirs.Add(dir);
            }
        }
        return dirs;
    }

    /// <summary>The value of a cgroup file (memory.limit_in_bytes, pids.max...) in whichever of the container's cgroups has it.</summary>
    public string? CgroupValue(params string[] files)
    {
        foreach (var dir in CgroupDirs())
        {
            foreach (var file in files)
            {
                var path = Path.Combine(dir, file);
                if (File.Exists(path))
                {
                    return File.ReadAllText(path).Trim();
                }
            }
        }
        return null;
    }
}
