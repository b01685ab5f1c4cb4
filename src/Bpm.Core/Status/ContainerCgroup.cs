using Bpm.Host;

namespace Bpm.Status;

// Reads the figures of the cgroup a container's spec placed it in, wherever the host's layout
// puts it (below bpm's own cgroup, or in the scope systemd made for it).
public static class ContainerCgroup
{
    public static CgroupStats? Read(CgroupLayout layout, string cgroupsPath)
    {
        if (layout.Version == CgroupVersion.V2)
        {
            var dir = layout.Dir(cgroupsPath, "");
            return dir is not null && Directory.Exists(dir) ? CgroupV2Reader.Read(file => ReadFile(Path.Join(dir, file))) : null;
        }
        if (!new[] { "memory", "pids" }.Any(c => layout.Dir(cgroupsPath, c) is { } d && Directory.Exists(d)))
            return null;
        return CgroupV1Reader.Read((controller, file) =>
            layout.Dir(cgroupsPath, controller) is { } d ? ReadFile(Path.Join(d, file)) : null);
    }

    private static string? ReadFile(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
