using Bpm.Interop;

namespace Bpm.Host;

// Directories bpm prepares for a job (contract §6): mode 0700, owned by the job's user.
public static class Directories
{
    public static void EnsureRootOwned(string path, uint mode = 0x1c0) => Create(path, 0, 0, mode);

    public static void Create(string path, uint uid, uint gid, uint mode = 0x1c0 /* 0700 */, bool adopt = true)
    {
        using var _ = Open(path, uid, gid, mode, adopt);
    }

    // Creates the directory if missing, then sets 0700 and the owner, all through a descriptor
    // reached without following a job's symlink (PathWalk): chown through a link would hand the
    // link's target to the job. Without `adopt`, a directory that already exists keeps its owner
    // and mode. Returns the descriptor, which stays on this directory whatever is renamed later.
    public static Fd Open(string path, uint uid, uint gid, uint mode = 0x1c0 /* 0700 */, bool adopt = true)
    {
        var fd = PathWalk.Open(path, out bool created, create: true);
        try
        {
            if (created || adopt) Adopt(fd, path, uid, gid, mode);
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    // Sets the mode and owner of the directory open at `fd`.
    public static void Adopt(Fd fd, string path, uint uid, uint gid, uint mode = 0x1c0 /* 0700 */)
    {
        if (Libc.Fchmod(fd.Value, mode) != 0) throw Libc.Error("chmod", path);
        if (Libc.Fchown(fd.Value, uid, gid) != 0) throw Libc.Error("chown", path);
    }
}
