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

    public static void MakeShared(BoshRoot root, string path)
    {
        using var held = FileLock.Acquire(LockPath(root, path));
        if (!MountInfo.IsMountPoint(path) && Libc.Mount(path, path, null, Libc.MS_BIND, null) != 0)
            throw Libc.Error("bind mount", path);
        if (Libc.Mount(null, path, null, Libc.MS_SHARED, null) != 0)
            throw Libc.Error("make shared", path);
    }
}
