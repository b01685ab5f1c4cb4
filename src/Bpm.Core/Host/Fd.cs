using System.Runtime.InteropServices;
using Bpm.Interop;

namespace Bpm.Host;

// An owned file descriptor.
public sealed class Fd : SafeHandle
{
    public Fd(int fd) : base(-1, true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;
    public int Value => (int)handle;

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;

    internal static Fd Open(string path, int flags, uint mode = 0)
    {
        int fd = Libc.Open(path, flags | Libc.O_CLOEXEC, mode);
        if (fd < 0) throw Libc.Error("open", path);
        return new Fd(fd);
    }

    public static unsafe (Fd Read, Fd Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (Libc.Pipe2(fds, Libc.O_CLOEXEC) != 0) throw Libc.Error("pipe");
        return (new Fd(fds[0]), new Fd(fds[1]));
    }

    // A bigger pipe lets the writer run ahead with fewer wake-ups of the reader. Best effort: the
    // kernel may refuse (pipe-max-size, per-user pipe limits), and the default size still works.
    public bool TrySetPipeSize(int bytes) => Libc.Fcntl(Value, Libc.F_SETPIPE_SZ, bytes) >= 0;

    public void WriteAll(ReadOnlySpan<byte> data)
    {
        if (!TryWriteAll(Value, data)) throw Libc.Error("write");
    }

    // Writes everything, retrying short writes and interruptions; false on any other error.
    public static unsafe bool TryWriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int off = 0;
            while (off < data.Length)
            {
                var n = Libc.Write(fd, p + off, data.Length - off);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EINTR) continue;
                    // Whoever shares the descriptor (a caller's pipe or terminal) may have made it
                    // non-blocking: wait for room rather than give up on it.
                    if (errno == Libc.EAGAIN && WaitWritable(fd)) continue;
                    return false;
                }
                off += (int)n;
            }
        }
        return true;
    }

    private static unsafe bool WaitWritable(int fd)
    {
        var pfd = new Libc.PollFd { Fd = fd, Events = Libc.POLLOUT };
        while (true)
        {
            if (Libc.Poll(&pfd, 1, -1) >= 0) return true;
            if (Marshal.GetLastPInvokeError() != Libc.EINTR) return false;
        }
    }
}
