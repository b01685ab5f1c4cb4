using Bpm.Host;

namespace Bpm.Status;

// Reads the figures of the cgroup a container's spec placed it in, wherever the host's layout
// puts it (below bpm's own cgroup, or in the scope systemd made for it).
public static class ContainerCgroup
{
    // `since`: when the container was made. Under systemd its cgroup goes with its last
    // process; the memory kills since then are still in the kernel's log.
    public static CgroupStats? Read(CgroupLayout layout, string cgroupsPath, DateTimeOffset? since = null)
    {
        if (layout.Version == CgroupVersion.V2)
        {
            var dir = layout.Dir(cgroupsPath, "");
            if (dir is not null && Directory.Exists(dir)) return CgroupV2Reader.Read(file => ReadFile(Path.Join(dir, file)));
        }
        else if (new[] { "memory", "pids" }.Any(c => layout.Dir(cgroupsPath, c) is { } d && Directory.Exists(d)))
        {
            return CgroupV1Reader.Read((controller, file) =>
                layout.Dir(cgroupsPath, controller) is { } d ? ReadFile(Path.Join(d, file)) : null);
        }
        if (!layout.Systemd || since is null || CgroupLayout.Relative(cgroupsPath) is not { } relative) return null;
        return KernelLog.Records() is { } records
            ? new CgroupStats { OomKills = KernelLog.OomKills(records, relative, KernelLog.MicrosSinceBoot(since.Value)) }
            : null;
    }

    private static string? ReadFile(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
