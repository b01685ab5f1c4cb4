using Bpm.Config;
using Bpm.Interop;

namespace Bpm.Host;

// Opens a volume's source, to be pinned (MountStage), for every kind the original mounts: a
// directory (made, the job's, when it is missing), or an existing file of another kind, a single
// file or a socket, as releases mount them. Reached without following a job's symlink (PathWalk):
// the descriptor is on what was checked, whatever is renamed later.
public static class VolumeSources
{
    public static Fd Open(Volume v, UserIds owner)
    {
        var path = v.Path;
        if (v.MountOnly) return PathWalk.Open(path, out _, allowFile: true);
        var fd = PathWalk.Open(path, out bool created, create: true, allowFile: true);
        try
        {
            var type = SafeFiles.Stat(fd).Mode & Libc.S_IFMT;
            // A read-only volume must not hand an existing directory or file to the job; a
            // writable one is the job's, as the original makes it.
            if (type == Libc.S_IFDIR)
            {
                if (created || v.Writable) Directories.Adopt(fd, path, owner.Uid, owner.Gid);
            }
            // A device node would be inert inside (every bind is nodev), and handing one to the job
            // on the host would not be.
            else if (type is Libc.S_IFCHR or Libc.S_IFBLK)
                throw new BpmException($"invalid volume path: {path} is a device");
            // A file keeps its mode, as the original leaves it: only its owner changes.
            else if (v.Writable && Libc.Fchownat(fd.Value, "", owner.Uid, owner.Gid, Libc.AT_EMPTY_PATH) != 0)
                throw Libc.Error("chown", path);
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    // A glob match of `unsafe.unrestricted_volumes`: an existing path anywhere on the host, opened
    // as it is (never created or changed). A symlink is followed only where root made it.
    public static Fd OpenMatch(string path) => PathWalk.Open(path, out _, allowFile: true, followLast: true);
}
