using Bpm.Host;

namespace Bpm.Status;

// Reads the figures of the cgroup a container's spec placed it in.
public static class ContainerCgroup
{
    public static CgroupStats? Read(string cgroupsPath)
    {
        if (cgroupsPath.Contains(':')) return null; // systemd-managed: slice:prefix:name
        var relative = cgroupsPath.Trim('/');
        if (File.Exists(Path.Join(Cgroups.Mount, "cgroup.controllers")))
        {
            var dir = Path.Join(Cgroups.Mount, relative);
            return Directory.Exists(dir) ? CgroupV2Reader.Read(file => ReadFile(Path.Join(dir, file))) : null;
        }
        if (!Directory.Exists(Path.Join(Cgroups.Mount, "memory", relative)) && !Directory.Exists(Path.Join(Cgroups.Mount, "pids", relative)))
            return null;
        return CgroupV1Reader.Read((controller, file) => ReadFile(Path.Join(Cgroups.Mount, controller, relative, file)));
    }

    private static string? ReadFile(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
