using Bpm.Bosh;
using Bpm.Identity;
using Bpm.Interop;

namespace Bpm.Host;

// The pre-start hook's TMPDIR: data/bpm/hooks/ID, made afresh (root's, 0700) for each run of the
// hook and removed when it has ended, in a tree no job can reach, so that nothing a root program
// puts there can be read, replaced or planted by a job, and nothing is left between runs.
public static class HookTmpDir
{
    public static string Create(ProcessRef p)
    {
        Remove(p);
        var dir = p.HookTmpDir;
        Directories.EnsureRootOwned(Path.GetDirectoryName(dir)!);
        Directories.EnsureRootOwned(dir);
        return dir;
    }

    // A hook may have mounted something there and left it: that is detached, not emptied.
    public static void Remove(ProcessRef p)
    {
        var dir = p.HookTmpDir;
        if (SafeFiles.LStat(dir) is not { } st || (st.Mode & Libc.S_IFMT) != Libc.S_IFDIR) return;
        foreach (var mount in MountInfo.MountPoints().Where(m => PathText.IsWithin(m, dir)).OrderByDescending(PathText.Depth).ToList())
            Unmount.All(mount);
        Directory.Delete(dir, recursive: true);
    }
}
