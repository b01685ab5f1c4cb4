using System.Runtime.InteropServices;
using System.Text;
using Bpm.Bosh;
using Bpm.Interop;

namespace Bpm.Host;

// Opens a directory by walking its path from "/" one component at a time, each opened relative
// to the one before without following symlinks. The descriptor stays on the directory that was
// checked, whatever a job renames or swaps along the path afterwards. A symlink along the way is
// followed only where no one but root could have made it (root's link in a root-owned directory
// that no one else may write), as BOSH lays out /var/vcap/sys; any other is refused. A symlink as
// the last component is refused too, unless the caller follows trusted ones there as well.
public static class PathWalk
{
    private const int MaxLinks = 40;
    private static int DirFlags => Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;

    // create: missing components are made, root's and 0700 (the caller sets up the last one);
    // `created` tells whether the last one was. allowFile: the last component may be a file
    // (opened O_PATH, for mounting only). followLast: a trusted symlink as the last component is
    // followed, as one along the way is.
    public static Fd Open(string path, out bool created, bool create = false, bool allowFile = false, bool followLast = false)
    {
        created = false;
        int links = 0;
        var parts = Split(path);
        var dir = Fd.Open("/", Libc.O_RDONLY | Libc.O_DIRECTORY);
        var walked = "";
        try
        {
            for (int i = 0; i < parts.Count; i++)
            {
                var name = parts[i];
                var at = walked + "/" + name;
                bool last = i == parts.Count - 1;
                int fd = Libc.OpenAt(dir.Value, name, DirFlags, 0);
                int errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
                if (fd < 0 && errno == Libc.ENOENT && create)
                {
                    if (Libc.MkdirAt(dir.Value, name, 0x1c0 /* 0700 */) != 0 && Marshal.GetLastPInvokeError() != Libc.EEXIST)
                        throw Libc.Error("mkdir", at);
                    created = last;
                    fd = Libc.OpenAt(dir.Value, name, DirFlags, 0);
                    errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
                }
                if (fd < 0 && errno is Libc.ELOOP or Libc.ENOTDIR)
                {
                    var st = StatAt(dir, name, at);
                    if ((st.Mode & Libc.S_IFMT) == Libc.S_IFLNK)
                    {
                        if ((last && !followLast) || !Trusted(SafeFiles.Stat(dir), st) || ++links > MaxLinks)
                            throw new BpmException($"refusing to use symlink at {at}");
                        // Go on from the link's target: the rest of the path follows it.
                        var target = ReadLink(dir, name, at);
                        var rest = parts.Skip(i + 1);
                        var next = Split((target.StartsWith('/') ? target : walked + "/" + target) + "/" + string.Join('/', rest));
                        parts = next;
                        dir.Dispose();
                        dir = Fd.Open("/", Libc.O_RDONLY | Libc.O_DIRECTORY);
                        walked = "";
                        i = -1;
                        continue;
                    }
                    if (last && allowFile)
                    {
                        fd = Libc.OpenAt(dir.Value, name, Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
                        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
                    }
                }
                if (fd < 0) throw new SyscallException("open", at, errno);
                dir.Dispose();
                dir = new Fd(fd);
                walked = at;
            }
            return dir;
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    public static Fd Open(string path) => Open(path, out _);

    // Lexically: ".." is taken off the walked path, not looked up, so it cannot climb through a link.
    private static List<string> Split(string path) =>
        PathText.Clean("/" + path).Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();

    private static bool Trusted(Libc.Statx parent, Libc.Statx link) =>
        link.Uid == 0 && parent.Uid == 0 && (parent.Mode & 0x12 /* 022 */) == 0;

    private static Libc.Statx StatAt(Fd dir, string name, string at)
    {
        if (Libc.StatxCall(dir.Value, name, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out var st) != 0) throw Libc.Error("stat", at);
        return st;
    }

    private static unsafe string ReadLink(Fd dir, string name, string at)
    {
        var buf = stackalloc byte[4096];
        var n = Libc.ReadLinkAt(dir.Value, name, buf, 4096);
        if (n < 0) throw Libc.Error("readlink", at);
        if (n >= 4096) throw new BpmException($"symlink target too long at {at}");
        return Encoding.UTF8.GetString(buf, (int)n);
    }
}
