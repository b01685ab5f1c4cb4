using System.Runtime.InteropServices;
using Bpm.Interop;

namespace Bpm.Host;

public static class Unmount
{
    // Detaches every mount stacked on the path (a bpm killed and retried may have mounted twice),
    // never following a symlink there. Nothing happens when the path is no mount point or is gone.
    public static void All(string path)
    {
        while (Libc.Umount2(path, Libc.MNT_DETACH | Libc.UMOUNT_NOFOLLOW) == 0) { }
        int errno = Marshal.GetLastPInvokeError();
        if (errno is not (Libc.EINVAL or Libc.ENOENT)) throw new SyscallException("unmount", path, errno);
    }
}
