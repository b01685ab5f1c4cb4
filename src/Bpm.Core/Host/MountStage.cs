using System.Globalization;
using Bpm.Identity;
using Bpm.Interop;

namespace Bpm.Host;

// runc mounts by path name and resolves each source again when it mounts, after every check bpm
// made: a job that can rename along the path (its own data dir, say) could swap a volume for a
// symlink to another job's data in between. So bpm pins what it checked: it binds the open
// descriptor onto a staging directory of root's (data/bpm/mounts/ID/N, one dir per container)
// and gives runc that path, which no job can reach. The staging mounts go with the container.
// The staging dir is a small tmpfs of its own, so that they all go with one unmount and one
// rmdir, not an unmount, a stat and a removal each.
public sealed class MountStage
{
    private readonly string _dir;
    private readonly Dictionary<string, string> _sources = new(StringComparer.Ordinal);

    private MountStage(string dir) => _dir = dir;

    // Host path → staging path, for the spec.
    public IReadOnlyDictionary<string, string> Sources => _sources;

    // Starts afresh: whatever a killed bpm left for this container is cleared first.
    public static MountStage Begin(ProcessRef p)
    {
        Clear(p);
        var dir = p.MountsDir;
        Directories.EnsureRootOwned(Path.GetDirectoryName(dir)!);
        Directories.EnsureRootOwned(dir);
        if (Libc.Mount("bpm-mounts", dir, "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV | Libc.MS_NOEXEC, "mode=700,size=64k,nr_inodes=4096") != 0)
            throw Libc.Error("mount tmpfs", dir);
        return new MountStage(dir);
    }

    // Binds the directory (or file) open at `fd` onto a new staging path and returns that path;
    // a host path pinned already keeps its first staging path. Recursive, as the spec's rbind is.
    public string Pin(string host, Fd fd)
    {
        if (_sources.TryGetValue(host, out var staged)) return staged;
        var target = Path.Join(_dir, _sources.Count.ToString(CultureInfo.InvariantCulture));
        bool isDir = (SafeFiles.Stat(fd).Mode & Libc.S_IFMT) == Libc.S_IFDIR;
        if (isDir) Directory.CreateDirectory(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        else Fd.Open(target, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW, 0x180).Dispose();
        var source = "/proc/self/fd/" + fd.Value.ToString(CultureInfo.InvariantCulture);
        if (Libc.Mount(source, target, null, Libc.MS_BIND | Libc.MS_REC, null) != 0) throw Libc.Error("bind mount", host);
        _sources[host] = target;
        return target;
    }

    // Unmounts and removes this container's staging dir: its tmpfs, with every pin in it. One an
    // earlier bpm staged on the disk is cleared entry by entry: only what bpm put there.
    public static void Clear(ProcessRef p)
    {
        var dir = p.MountsDir;
        if (SafeFiles.LStat(dir) is not { } st || (st.Mode & Libc.S_IFMT) != Libc.S_IFDIR) return;
        Unmount.All(dir);
        if (Libc.Rmdir(dir) == 0) return;
        foreach (var entry in Directory.EnumerateFileSystemEntries(dir))
        {
            Unmount.All(entry);
            if (Directory.Exists(entry)) Directory.Delete(entry);
            else File.Delete(entry);
        }
        Directory.Delete(dir);
    }
}
