using System.Security.Cryptography;
using System.Text;
using Bpm.Bosh;
using Bpm.Interop;

namespace Bpm.Host;

// A volume marked `shared` must propagate mounts between jobs: bpm bind-mounts it onto itself
// (if it is not already a mount point) and makes it shared, under a per-volume lock so two
// jobs starting together don't both bind it.
public static class SharedVolumes
{
    public static string LockPath(BoshRoot root, string path) =>
        Path.Join(root.LocksDir, "vol-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path))) + ".lock");

    // `dir` is the volume as bpm checked it (PathWalk), a directory or a file: it is bound onto
    // itself through the descriptor, never by a path a job could swap. Returns the bind mount, opened afresh (the
    // old descriptor stays on the directory underneath); once a mount point, it cannot be renamed.
    public static Fd MakeShared(BoshRoot root, string path, Fd dir)
    {
        using var held = FileLock.Acquire(LockPath(root, path));
        var self = FdPath(dir);
        if (!MountInfo.IsMountPoint(path) && Libc.Mount(self, self, null, Libc.MS_BIND, null) != 0)
            throw Libc.Error("bind mount", path);
        var mount = PathWalk.Open(path, out _, allowFile: true);
        try
        {
            // Fails unless the directory reached is the mount's root.
            if (Libc.Mount(null, FdPath(mount), null, Libc.MS_SHARED, null) != 0)
                throw Libc.Error("make shared", path);
            return mount;
        }
        catch
        {
            mount.Dispose();
            throw;
        }
    }

    private static string FdPath(Fd fd) => "/proc/self/fd/" + fd.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
