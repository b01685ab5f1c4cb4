using System.Runtime.InteropServices;
using Bpm.Interop;

namespace Bpm.Host;

// An exclusive flock on a lock file, held until disposed (or until the process dies, which is
// what makes a killed bpm leave nothing locked).
public sealed class FileLock : IDisposable
{
    private readonly Fd _fd;

    private FileLock(Fd fd) => _fd = fd;

    public static FileLock Acquire(string path)
    {
        Directories.EnsureRootOwned(Path.GetDirectoryName(path)!);
        return Acquire(Fd.Open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_NOFOLLOW, 0x180), path);
    }

    // Locks the open file at `fd`, which the lock then owns.
    internal static FileLock Acquire(Fd fd, string path)
    {
        while (Libc.Flock(fd.Value, Libc.LOCK_EX) != 0)
        {
            if (Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
            var e = Libc.Error("flock", path);
            fd.Dispose();
            throw e;
        }
        return new FileLock(fd);
    }

    // The lock's descriptor, for a child that must hold the lock as long as it runs.
    public int Descriptor => _fd.Value;

    public void Dispose() => _fd.Dispose();
}
