using Bpm.Interop;

namespace Bpm.Host;

// Directories bpm prepares for a job (contract §6): mode 0700, owned by the job's user.
public static class Directories
{
    public static void EnsureRootOwned(string path, uint mode = 0x1c0) => Create(path, 0, 0, mode);

    // Creates the directory if missing, then sets 0700 and the owner. A symlink in its place is
    // refused: chown through it would hand the link's target to the job. Without `adopt`, a
    // directory that already exists keeps its owner and mode.
    public static void Create(string path, uint uid, uint gid, uint mode = 0x1c0 /* 0700 */, bool adopt = true)
    {
        var st = SafeFiles.LStat(path);
        if (st is { } s && (s.Mode & Libc.S_IFMT) == Libc.S_IFLNK)
            throw new BpmException($"refusing to use symlink at {path}");
        if (st is not null && !adopt) return;
        if (st is null) Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var fd = Fd.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW);
        if (Libc.Fchmod(fd.Value, mode) != 0) throw Libc.Error("chmod", path);
        if (Libc.Fchown(fd.Value, uid, gid) != 0) throw Libc.Error("chown", path);
    }
}
