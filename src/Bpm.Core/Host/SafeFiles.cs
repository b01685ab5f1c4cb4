using System.Runtime.InteropServices;
using Bpm.Interop;

namespace Bpm.Host;

// Files bpm writes as root in directories a job can write to. A job could plant a symlink or a
// hard link there to make root write somewhere else, so opens never follow a final symlink and
// never write to a file that has another name.
public static class SafeFiles
{
    // A job that keeps planting faster than bpm moves its plants aside gets an error after this many.
    private const int Attempts = 5;

    // Opens PATH for appending, as a regular file of its own. Whatever else has the name (a
    // directory, a symlink, a FIFO, a device, a hard-linked file) is not opened, followed or
    // written: it is renamed aside (MoveAside), `movedAside` hears of it (old name, new name),
    // and the log starts afresh, so that a job cannot keep itself from starting by sabotaging
    // its own log.
    public static Fd OpenAppend(string path, uint uid, uint gid, Action<string, string>? movedAside = null)
    {
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            if (LStat(path) is { } before && !Appendable(before))
            {
                Aside(path, movedAside);
                continue;
            }
            // O_NONBLOCK: a FIFO planted after the check must not be waited on with the job lock
            // held. It changes nothing for a regular file.
            int fd = Libc.Open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND | Libc.O_NOFOLLOW | Libc.O_NOCTTY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0x180 /* 0600 */);
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                // Something was planted between the check and the open.
                if (errno is Libc.ELOOP or Libc.ENXIO or Libc.EISDIR)
                {
                    Aside(path, movedAside);
                    continue;
                }
                throw new SyscallException("open", path, errno);
            }
            var file = new Fd(fd);
            try
            {
                if (!Appendable(Stat(file)))
                {
                    file.Dispose();
                    Aside(path, movedAside);
                    continue;
                }
                if (Libc.Fchown(fd, uid, gid) != 0) throw Libc.Error("chown", path);
                if (Libc.Fchmod(fd, 0x180) != 0) throw Libc.Error("chmod", path);
                return file;
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
        throw new BpmException($"refusing to open {path}: it keeps being replaced by something other than a regular file");
    }

    private static bool Appendable(Libc.Statx st) => (st.Mode & Libc.S_IFMT) == Libc.S_IFREG && st.Nlink == 1;

    private static void Aside(string path, Action<string, string>? movedAside)
    {
        if (MoveAside(path) is { } aside) movedAside?.Invoke(path, aside);
    }

    // Renames whatever is at PATH to PATH.impostor-<UTC time>, a name nothing else has: rename
    // acts on the name itself and follows no link, and the kernel refuses to replace an existing
    // target. Null when the name was gone already.
    public static string? MoveAside(string path)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'.'fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        for (int n = 0; ; n++)
        {
            var aside = $"{path}.impostor-{stamp}" + (n == 0 ? "" : "-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (Libc.Renameat2(Libc.AT_FDCWD, path, Libc.AT_FDCWD, aside, Libc.RENAME_NOREPLACE) == 0) return aside;
            int errno = Marshal.GetLastPInvokeError();
            // A filesystem without RENAME_NOREPLACE: the name was free a moment ago, and only the
            // job itself could take it in between, in its own directory.
            if (errno == Libc.EINVAL && LStat(aside) is null)
            {
                if (Libc.Rename(path, aside) == 0) return aside;
                errno = Marshal.GetLastPInvokeError();
            }
            if (errno == Libc.ENOENT) return null;
            if (errno != Libc.EEXIST || n >= 100) throw new SyscallException("rename", path, errno);
        }
    }

    // Opens a file a job wrote, for root to read: null when nothing is there. The name is first
    // opened O_PATH, which opens nothing behind it (no FIFO to block on, no device to wake), and
    // only a regular file with a single name is then opened for reading, through its descriptor,
    // so the job cannot swap it in between.
    public static Fd? OpenRead(string path)
    {
        int fd = Libc.Open(path, Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is Libc.ENOENT or Libc.ENOTDIR) return null;
            throw new SyscallException("open", path, errno);
        }
        using var handle = new Fd(fd);
        var st = Stat(handle);
        var type = st.Mode & Libc.S_IFMT;
        if (type == Libc.S_IFLNK) throw new BpmException($"refusing to open symlink at {path}");
        if (type != Libc.S_IFREG) throw new BpmException($"refusing to open non-regular file at {path}");
        if (st.Nlink > 1) throw new BpmException($"refusing to open hard-linked file at {path}");
        int file = Libc.Open($"/proc/self/fd/{fd}", Libc.O_RDONLY | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
        if (file < 0) throw Libc.Error("open", path);
        return new Fd(file);
    }

    // Creates or replaces a root-owned file; the caller owns the directory, so replacing by
    // rename cannot be redirected.
    public static void WriteAtomic(string path, ReadOnlySpan<byte> content, uint mode = 0x1a4 /* 0644 */)
    {
        var tmp = path + ".tmp-" + Environment.ProcessId;
        using (var fd = Fd.Open(tmp, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_TRUNC | Libc.O_NOFOLLOW, mode))
            fd.WriteAll(content);
        File.Move(tmp, path, overwrite: true);
    }

    internal static Libc.Statx Stat(Fd fd)
    {
        if (Libc.StatxCall(fd.Value, "", Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out var st) != 0) throw Libc.Error("stat");
        return st;
    }

    // lstat: null when nothing is there.
    internal static Libc.Statx? LStat(string path)
    {
        if (Libc.StatxCall(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out var st) == 0) return st;
        int errno = Marshal.GetLastPInvokeError();
        if (errno is Libc.ENOENT or Libc.ENOTDIR) return null;
        throw new SyscallException("stat", path, errno);
    }
}
