namespace Bpm.IntegrationTests.RealReleases;

public enum MountKind { Directory, File, Socket }

/// <summary>A mount a process's container must have, at its path inside, with its options.</summary>
public sealed record ExpectedMount(string Point, MountKind Kind, bool Writable, bool Exec, string Why)
{
    /// <summary>
    /// What the host has at PATH, seen without following a symlink, or through it when FOLLOW
    /// (an unrestricted match that is root's link, such as another job's dir, is mounted as what
    /// it points to).
    /// </summary>
    public static MountKind KindOf(string path, bool follow = false)
    {
        var st = BoshRoot.Run("stat", follow ? "-Lc" : "-c", "%F", "--", path);
        Assert.True(st.ExitCode == 0, $"stat {path}: {st}");
        return st.Stdout.Trim() switch
        {
            "directory" => MountKind.Directory,
            "socket" => MountKind.Socket,
            "regular file" or "regular empty file" => MountKind.File,
            var other => throw new InvalidOperationException($"{path} is a {other}"),
        };
    }

    /// <summary>
    /// The mounts a process gets for its job's directories and for what its fixture asks: each
    /// additional volume, and each match of an unrestricted glob except those inside a directory
    /// bpm already mounts for the job (docs/bpm-yml.md: that mount's options win).
    /// </summary>
    public static List<ExpectedMount> For(FixtureProcess p, BoshRoot root)
    {
        var job = p.Job;
        var result = new List<ExpectedMount>
        {
            new($"/var/vcap/jobs/{job}", MountKind.Directory, Writable: false, Exec: true, "the job dir"),
            new($"/var/vcap/sys/log/{job}", MountKind.Directory, Writable: true, Exec: false, "the log dir"),
            new($"/var/vcap/data/{job}/tmp", MountKind.Directory, Writable: true, Exec: false, "the tmp dir"),
        };
        if (p.EphemeralDisk)
        {
            result.Add(new($"/var/vcap/data/{job}", MountKind.Directory, true, false, "ephemeral_disk"));
        }
        if (p.PersistentDisk)
        {
            result.Add(new($"/var/vcap/store/{job}", MountKind.Directory, true, false, "persistent_disk"));
        }
        foreach (var v in p.Volumes)
        {
            result.Add(new(v.Path, KindOf(v.Path), v.Writable, v.AllowExecutions, "additional volume " + v.Path));
        }
        var own = OwnDirs(p, root);
        foreach (var v in p.Unrestricted)
        {
            var matches = Expand(v.Path);
            Assert.True(matches.Count > 0, $"the fixture's glob {v.Path} matches nothing on the host");
            foreach (var match in matches.Where(m => !own.Any(d => m == d || m.StartsWith(d + "/", StringComparison.Ordinal))))
            {
                result.Add(new(match, KindOf(match, follow: true), v.Writable, v.AllowExecutions, $"unrestricted {v.Path} ({match})"));
            }
        }
        return result;
    }

    /// <summary>The host directories bpm mounts for the job itself.</summary>
    public static List<string> OwnDirs(FixtureProcess p, BoshRoot root)
    {
        var dirs = new List<string> { root.P("jobs", p.Job), root.P("packages"), root.P("data", "packages"),
            root.P("sys", "log", p.Job), root.P("data", p.Job, "tmp") };
        if (p.EphemeralDisk)
        {
            dirs.Add(root.P("data", p.Job));
        }
        if (p.PersistentDisk)
        {
            dirs.Add(root.P("store", p.Job));
        }
        return dirs;
    }

    /// <summary>A shell glob (* and ? within a component) expanded on the host, in order.</summary>
    public static List<string> Expand(string pattern)
    {
        var current = new List<string> { "/" };
        foreach (var part in pattern.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = part.IndexOfAny(['*', '?']) < 0
                ? current.Select(d => Path.Join(d, part)).Where(Path.Exists).ToList()
                : current.Where(Directory.Exists)
                    .SelectMany(d => Directory.EnumerateFileSystemEntries(d, part).Order(StringComparer.Ordinal)).ToList();
        }
        return current;
    }
}
