using System.Text.Json;
using Bpm.Host;
using Bpm.Interop;
using Bpm.Oci;

namespace Bpm.Lifecycle;

// data/bpm/bundles/JOB/PROC: config.json and an empty rootfs/. Root's alone.
public static class Bundle
{
    public static void Write(string dir, Oci.Spec spec)
    {
        Directories.EnsureRootOwned(Path.GetDirectoryName(dir)!);
        Directories.EnsureRootOwned(dir);
        // The container's "/" must be traversable by the job's user.
        Directories.EnsureRootOwned(Path.Join(dir, "rootfs"), 0x1ed /* 0755 */);
        // Made afresh rather than through a temporary file and a rename, which would cost every
        // start time: the directory is root's alone, and runc reads the file only once it is
        // complete. Whatever had the name before (a leftover, a link) is unlinked, never written.
        var path = Path.Join(dir, "config.json");
        File.Delete(path);
        using var file = Fd.Open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW, 0x1a4 /* 0644 */);
        file.WriteAll(OciJson.Write(spec));
    }

    // The cgroup the container was placed in, as its config.json says; null when unreadable.
    public static string? CgroupsPath(string dir)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Join(dir, "config.json")));
            return doc.RootElement.GetProperty("linux").TryGetProperty("cgroupsPath", out var p) ? p.GetString() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    public static void Remove(string dir)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
}
