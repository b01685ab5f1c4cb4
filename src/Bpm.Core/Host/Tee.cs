using System.Runtime.InteropServices;
using Bpm.Interop;

namespace Bpm.Host;

// Copies each of some pipes to two descriptors (the caller's terminal and a log file) until every
// pipe has closed, on the calling thread: one poll over all of them, not a thread per pipe, whose
// start a short `bpm run` would pay for at every call.
public static class Tee
{
    public const int BufferSize = 1 << 20;

    public readonly record struct Route(Fd Source, int First, Fd Second);

    public static unsafe void Pump(params Route[] routes)
    {
        // Pages are touched only as far as a read fills them: a quiet job costs one page.
        var buffer = (byte*)NativeMemory.Alloc(BufferSize);
        var fds = stackalloc Libc.PollFd[routes.Length];
        var firstOpen = new bool[routes.Length];
        try
        {
            for (int i = 0; i < routes.Length; i++)
            {
                fds[i] = new Libc.PollFd { Fd = routes[i].Source.Value, Events = Libc.POLLIN };
                firstOpen[i] = true;
            }
            int open = routes.Length;
            while (open > 0)
            {
                if (Libc.Poll(fds, (nuint)routes.Length, -1) < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                    throw Libc.Error("poll");
                }
                for (int i = 0; i < routes.Length; i++)
                {
                    if (fds[i].Fd < 0 || fds[i].Revents == 0) continue;
                    var n = Libc.Read(fds[i].Fd, buffer, BufferSize);
                    if (n < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                    if (n <= 0)
                    {
                        fds[i].Fd = -1; // poll skips negative descriptors
                        open--;
                        continue;
                    }
                    var chunk = new ReadOnlySpan<byte>(buffer, (int)n);
                    // A caller that went away (closed pipe) must not stop the log from being written.
                    if (firstOpen[i]) firstOpen[i] = Fd.TryWriteAll(routes[i].First, chunk);
                    Fd.TryWriteAll(routes[i].Second.Value, chunk);
                }
            }
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }
}
