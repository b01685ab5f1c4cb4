using System.Runtime.InteropServices;
using Bpm.Interop;

namespace Bpm.Host;

// Copies a pipe to two descriptors (the caller's terminal and a log file) until it closes.
public static class Tee
{
    public const int BufferSize = 1 << 20;

    public static Thread Start(Fd source, int first, Fd second)
    {
        var thread = new Thread(() => Pump(source, first, second)) { IsBackground = true };
        thread.Start();
        return thread;
    }

    private static unsafe void Pump(Fd source, int first, Fd second)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
        bool firstOpen = true;
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = Libc.Read(source.Value, p, BufferSize);
                if (n == 0) return;
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                    return;
                }
                var chunk = new ReadOnlySpan<byte>(p, (int)n);
                // A caller that went away (closed pipe) must not stop the log from being written.
                if (firstOpen) firstOpen = Fd.TryWriteAll(first, chunk);
                Fd.TryWriteAll(second.Value, chunk);
            }
        }
    }
}
