namespace Bpm.Host;

// How the host's cgroups are laid out, decided once per command: v1 (one hierarchy per
// controller), hybrid (v1 controllers plus an empty v2 tree at /sys/fs/cgroup/unified) or v2
// only; and whether systemd manages them (runc then asks systemd for a scope per container).
// Everything that names or reads a container's cgroup comes here: the spec's cgroupsPath,
// status figures, OOM counts, the reaper and host preparation.
public sealed record CgroupLayout(CgroupVersion Version, bool Systemd, string OwnPath, IReadOnlyDictionary<string, string> Hierarchies)
{
    public const string Mount = "/sys/fs/cgroup";

    private static CgroupLayout? _host;

    public static CgroupLayout Host => _host ??= Detect();

    // The v1 hierarchies bpm itself is in: their directory under /sys/fs/cgroup → the options
    // that mount them (the controllers as /proc/self/cgroup groups them, or "name=NAME").
    public IReadOnlyDictionary<string, string> V1Mounts { get; init; } = new Dictionary<string, string>();

    public static CgroupLayout Detect() => Parse(
        File.ReadAllText("/proc/self/cgroup"),
        File.ReadAllText("/proc/self/mountinfo"),
        Directory.Exists("/run/systemd/system"));

    // procSelfCgroup and mountInfo are the texts of /proc/self/cgroup and /proc/self/mountinfo.
    public static CgroupLayout Parse(string procSelfCgroup, string mountInfo, bool systemd)
    {
        string? unified = null, systemdPath = null;
        var hierarchies = new Dictionary<string, string>(StringComparer.Ordinal);
        var mounts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in procSelfCgroup.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3 || !parts[2].StartsWith('/')) continue;
            if (parts[0] == "0" && parts[1] == "") { unified = parts[2]; continue; }
            if (parts[1] == "") continue;
            // The directory is named as the kernel groups the controllers ("cpu,cpuacct"); a
            // named hierarchy ("name=systemd") by its name.
            var dir = Path.Join(Mount, parts[1].StartsWith("name=", StringComparison.Ordinal) ? parts[1]["name=".Length..] : parts[1]);
            foreach (var controller in parts[1].Split(','))
                hierarchies.TryAdd(controller, dir);
            mounts.TryAdd(dir, parts[1]);
            if (parts[1] == "name=systemd") systemdPath = parts[2];
        }

        var fsType = MountTypes(mountInfo);
        CgroupVersion version;
        if (fsType.TryGetValue(Mount, out var top) && top == "cgroup2") version = CgroupVersion.V2;
        else if (hierarchies.Count == 0 && unified is not null && !fsType.ContainsKey(Mount)) version = CgroupVersion.V2;
        else if (fsType.TryGetValue(Path.Join(Mount, "unified"), out var u) && u == "cgroup2") version = CgroupVersion.Hybrid;
        else version = CgroupVersion.V1;
        if (version == CgroupVersion.V2)
        {
            hierarchies.Clear();
            mounts.Clear();
        }
        if (version == CgroupVersion.Hybrid) hierarchies.TryAdd("", Path.Join(Mount, "unified"));

        // bpm's own cgroup is its v2 one (contract §5): on v1 that one path serves in every
        // hierarchy, so runc creates and removes exactly PARENT/ID in each. Under systemd on v1
        // the v2 line can be "/" while systemd tracks bpm's unit in its own hierarchy.
        var own = unified ?? "/";
        if (systemd && own == "/" && systemdPath is not null) own = systemdPath;
        return new CgroupLayout(version, systemd, own, hierarchies) { V1Mounts = mounts };
    }

    // mount point → filesystem type, from mountinfo ("ID PARENT M:N ROOT POINT OPTS [TAGS] - TYPE SRC SUPER").
    private static Dictionary<string, string> MountTypes(string mountInfo)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in mountInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            int dash = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || dash < 0 || dash + 1 >= fields.Length) continue;
            types[fields[4]] = fields[dash + 1]; // the last mount on a point is the visible one
        }
        return types;
    }

    // The cgroupsPath of a container whose cgroup is called `name`. Without systemd: below bpm's
    // own cgroup. Under systemd, as bpm 1.4 builds it: SLICE:UNIQUEbpm:NAME, with SLICE the first
    // slice bpm's own cgroup is in and UNIQUE the unit after it, so that two bpm's run from two
    // units never share a scope; runc makes it the scope SLICE/UNIQUEbpm-NAME.scope.
    public string CgroupsPath(string name)
    {
        var parts = OwnPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (!Systemd) return "/" + string.Join('/', [.. parts, name]);
        int i = Array.FindIndex(parts, p => p.EndsWith(".slice", StringComparison.Ordinal));
        var slice = i >= 0 ? parts[i] : "system.slice";
        var unique = i >= 0 && i + 1 < parts.Length ? Sanitize(parts[i + 1]) + "-" : "";
        return $"{slice}:{unique}bpm:{name}";
    }

    private static string Sanitize(string s) =>
        string.Create(s.Length, s, (span, src) =>
        {
            for (int k = 0; k < src.Length; k++)
                span[k] = char.IsAsciiLetterOrDigit(src[k]) || src[k] is '_' or '-' ? src[k] : '-';
        });

    // The container's cgroup below each hierarchy's root: PATH as given, or for systemd's
    // SLICE:PREFIX:NAME the scope runc's systemd driver makes. Null for a path that cannot be one.
    public static string? Relative(string cgroupsPath)
    {
        string relative;
        if (cgroupsPath.Contains(':'))
        {
            var parts = cgroupsPath.Split(':');
            if (parts.Length != 3 || parts[2] == "") return null;
            var unit = parts[2].EndsWith(".slice", StringComparison.Ordinal) ? parts[2]
                : parts[1] == "" ? parts[2] + ".scope" : $"{parts[1]}-{parts[2]}.scope";
            relative = ExpandSlice(parts[0] == "" ? "system.slice" : parts[0]) + "/" + unit;
        }
        else relative = cgroupsPath;
        relative = relative.Trim('/');
        if (relative == "" || relative.Split('/').Any(p => p is "." or "..")) return null;
        return relative;
    }

    // systemd nests a slice in the slices its name's dashes name: a-b.slice is a.slice/a-b.slice.
    public static string ExpandSlice(string slice)
    {
        if (slice == "-.slice" || !slice.EndsWith(".slice", StringComparison.Ordinal)) return "";
        var name = slice[..^".slice".Length];
        var path = "";
        var prefix = "";
        foreach (var part in name.Split('-'))
        {
            prefix = prefix == "" ? part : prefix + "-" + part;
            path += "/" + prefix + ".slice";
        }
        return path.TrimStart('/');
    }

    // The systemd unit of a SLICE:PREFIX:NAME path, null otherwise.
    public static string? Unit(string cgroupsPath) =>
        cgroupsPath.Contains(':') && Relative(cgroupsPath) is { } r ? r[(r.LastIndexOf('/') + 1)..] : null;

    // Where a controller's files for the container are: the one directory on v2, the
    // controller's hierarchy on v1. Null when the host has no such controller.
    public string? Dir(string cgroupsPath, string controller)
    {
        if (Relative(cgroupsPath) is not { } relative) return null;
        if (Version == CgroupVersion.V2) return Path.Join(Mount, relative);
        return Hierarchies.TryGetValue(controller, out var root) ? Path.Join(root, relative) : null;
    }

    // Every directory of the container's cgroup, one per hierarchy.
    public IReadOnlyList<string> Dirs(string cgroupsPath)
    {
        if (Relative(cgroupsPath) is not { } relative) return [];
        if (Version == CgroupVersion.V2) return [Path.Join(Mount, relative)];
        return Hierarchies.Values.Distinct(StringComparer.Ordinal).Select(h => Path.Join(h, relative)).ToList();
    }

    // runc needs the v1 hierarchies mounted when no init system has done it; never on v2 or under systemd.
    public bool MountsV1 => Version != CgroupVersion.V2 && !Systemd;
}

public enum CgroupVersion { V1, Hybrid, V2 }
