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
//
// OpenRootOwned walks the same way to what bpm will run as root (the pre-start hook, the
// directories on its PATH), and opens it only when no one but root could have put it there or
// could change it afterwards (RootOnly).
public static class PathWalk
{
    private const int MaxLinks = 40;
    private static int DirFlags => Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;

    // create: missing components are made, root's and 0700 (the caller sets up the last one);
    // `created` tells whether the last one was. allowFile: the last component may be a file
    // (opened O_PATH, for mounting only). followLast: a trusted symlink as the last component is
    // followed, as one along the way is.
    public static Fd Open(string path, out bool created, bool create = false, bool allowFile = false, bool followLast = false) =>
        Walk(path, out created, create, allowFile, followLast, rootOnly: false);

    public static Fd Open(string path) => Open(path, out _);

    // A file (opened O_PATH) or a directory that only root could have made, or can change: it and
    // every directory on the way are root's, and writable by no one else. One exception, as /tmp
    // is: a directory along the way that others may write but that has the sticky bit, since only
    // root may then rename or remove the root-owned entry below it. A symlink, the last component
    // included, is followed only where only root could have made it, as in Open: a link root made
    // in such a directory is no less root's choice than a file root put there (the BOSH layout's
    // jobs/JOB, a package's bin/ link, merged /usr's /bin). Throws a BpmException naming the
    // component and why; a SyscallException when it cannot be opened at all.
    public static Fd OpenRootOwned(string path) => Walk(path, out _, create: false, allowFile: true, followLast: true, rootOnly: true);

    // Whether PATH is a directory OpenRootOwned would open.
    public static bool IsRootOwnedDirectory(string path)
    {
        try
        {
            using var fd = OpenRootOwned(path);
            return (SafeFiles.Stat(fd).Mode & Libc.S_IFMT) == Libc.S_IFDIR;
        }
        catch (BpmException)
        {
            return false;
        }
    }

    // Why what is open at AT could be changed by someone other than root; null when it cannot.
    // `along`: a directory on the way to the last component, which the sticky bit may save.
    internal static string? RootOnly(uint uid, ushort mode, string at, bool along)
    {
        if (uid != 0) return $"{at} is owned by uid {uid}";
        bool sticky = along && (mode & Libc.S_IFMT) == Libc.S_IFDIR && (mode & 0x200 /* 01000 */) != 0;
        if ((mode & 0x12 /* 022 */) != 0 && !sticky) return $"{at} is writable by group or others";
        return null;
    }

    private static Fd Walk(string path, out bool created, bool create, bool allowFile, bool followLast, bool rootOnly)
    {
        created = false;
        int links = 0;
        var parts = Split(path);
        var dir = Fd.Open("/", Libc.O_RDONLY | Libc.O_DIRECTORY);
        var walked = "";
        try
        {
            if (rootOnly) Check(dir, "/", along: parts.Count > 0);
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
                        var parent = SafeFiles.Stat(dir);
                        if (rootOnly && LinkProblem(parent, st, at, ++links) is { } why) throw new BpmException(why);
                        if (!rootOnly && ((last && !followLast) || !Trusted(parent, st) || ++links > MaxLinks))
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
                if (rootOnly) Check(dir, at, along: !last);
            }
            return dir;
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    private static void Check(Fd fd, string at, bool along)
    {
        var st = SafeFiles.Stat(fd);
        if (RootOnly(st.Uid, st.Mode, at, along) is { } why) throw new BpmException(why);
    }

    private static string? LinkProblem(Libc.Statx parent, Libc.Statx link, string at, int links)
    {
        if (link.Uid != 0) return $"{at} is a symlink owned by uid {link.Uid}";
        if (!Trusted(parent, link)) return $"{at} is a symlink in a directory others may write to";
        return links > MaxLinks ? $"{at}: too many levels of symbolic links" : null;
    }

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
