namespace Bpm.IntegrationTests.RealReleases;

/// <summary>
/// The rules a pre_start hook is held to, since it runs as root on the host: where it may live
/// (a root-owned file in root-owned directories no one else may write; a sticky directory such
/// as /tmp passes when the entry below it is root's; a symlink on the way must be root's, and its
/// target is held to the same rules) and how it is run (from a descriptor, so its $0 is
/// /dev/fd/N; in /, with root's HOME and TMPDIR and a PATH of root-owned directories). A
/// fixture's hook that passes both finds its siblings by absolute path, as real releases' hooks
/// do, and keeps working however strictly bpm applies them.
/// </summary>
public static class StricterHookRules
{
    public const string RootPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private const int GroupOrOtherWrite = 0x12; // 0022
    private const int Sticky = 0x200;           // 01000

    private sealed record Entry(int Uid, int Mode, string Type);

    /// <summary>What keeps PATH from passing the rules on where a hook lives; empty when it passes.</summary>
    public static List<string> LayoutProblems(string path)
    {
        var problems = new List<string>();
        Walk(path, problems, links: 0);
        return problems;
    }

    private static void Walk(string path, List<string> problems, int links)
    {
        if (links > 8)
        {
            problems.Add($"{path}: too many symlinks");
            return;
        }
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var dir = "/";
        var dirEntry = Look(dir);
        CheckDirectory(dir, dirEntry, problems);
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Join(dir, parts[i]);
            var entry = Look(next);
            if ((dirEntry.Mode & GroupOrOtherWrite) != 0 && ((dirEntry.Mode & Sticky) == 0 || entry.Uid != 0))
            {
                problems.Add($"{next}: in {dir}, which others may write, and {(entry.Uid != 0 ? "not root's" : "not sticky")}");
            }
            if (entry.Type == "symbolic link")
            {
                if (entry.Uid != 0)
                {
                    problems.Add($"{next}: a symlink that is not root's");
                }
                var target = File.ResolveLinkTarget(next, returnFinalTarget: false)!.FullName;
                Walk(string.Join('/', [target, .. parts[(i + 1)..]]), problems, links + 1);
                return;
            }
            if (i == parts.Length - 1)
            {
                if (entry.Type is not ("regular file" or "regular empty file") || entry.Uid != 0 ||
                    (entry.Mode & GroupOrOtherWrite) != 0 || (entry.Mode & 0x40) == 0)
                {
                    problems.Add($"{next}: the hook must be a root-owned executable file no one else may write ({entry})");
                }
                return;
            }
            CheckDirectory(next, entry, problems);
            dir = next;
            dirEntry = entry;
        }
    }

    private static void CheckDirectory(string dir, Entry entry, List<string> problems)
    {
        if (entry.Type != "directory" || entry.Uid != 0)
        {
            problems.Add($"{dir}: must be a root-owned directory ({entry})");
        }
    }

    private static Entry Look(string path)
    {
        var r = BoshRoot.Run("stat", "-c", "%u %f %F", "--", path);
        Assert.True(r.ExitCode == 0, $"stat {path}: {r}");
        var f = r.Stdout.Trim().Split(' ', 3);
        return new Entry(int.Parse(f[0]), Convert.ToInt32(f[1], 16) & 0xfff, f[2]);
    }

    /// <summary>
    /// Runs HOOK as the rules run it: exec'd from a descriptor, in /, with the process's env but
    /// root's HOME, TMPDIR and PATH.
    /// </summary>
    public static CommandResult Run(string hook, IEnumerable<(string Key, string Value)> env)
    {
        var vars = env.Where(kv => kv.Key is not ("HOME" or "TMPDIR" or "PATH"))
            .Select(kv => $"{kv.Key}={kv.Value}")
            .Concat(["HOME=/root", "TMPDIR=/tmp", "PATH=" + RootPath]);
        // The descriptor stays open across the exec: the kernel hands the script to its
        // interpreter as /dev/fd/N.
        const string exec = """
            import os, sys
            fd = os.open(sys.argv[1], os.O_RDONLY)
            os.set_inheritable(fd, True)
            os.chdir("/")
            os.execve(fd, [sys.argv[1]], dict(v.split("=", 1) for v in sys.argv[2:]))
            """;
        return BoshRoot.Run("python3", ["-c", exec, hook, .. vars]);
    }
}
