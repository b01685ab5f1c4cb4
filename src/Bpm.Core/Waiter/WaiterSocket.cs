using System.Runtime.InteropServices;
using Bpm.Host;
using Bpm.Interop;

namespace Bpm.Waiter;

// One end of the socket pair between bpm start and its waiter: datagrams that keep their
// bounds (SOCK_SEQPACKET), so a request arrives whole, descriptors riding with it.
public static unsafe class WaiterSocket
{
    // The largest request: runc's arguments and a few paths, far below this. On the stack, not
    // the heap: a waiter's heap stays resident for as long as it waits.
    public const int MaxMessage = 16 * 1024;

    public static (Fd Bpm, Fd Waiter) Pair()
    {
        int* fds = stackalloc int[2];
        if (Libc.SocketPair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC, 0, fds) != 0) throw Libc.Error("socketpair");
        return (new Fd(fds[0]), new Fd(fds[1]));
    }

    private static int ControlSize(int count) => Libc.CmsgHeaderSize + ((count * sizeof(int) + 7) & ~7);

    // False when the other end is gone.
    public static bool Send(int socket, ReadOnlySpan<byte> data, ReadOnlySpan<int> fds)
    {
        int controlSize = fds.Length > 0 ? ControlSize(fds.Length) : 0;
        byte* control = stackalloc byte[Math.Max(controlSize, 1)];
        new Span<byte>(control, Math.Max(controlSize, 1)).Clear();
        fixed (byte* p = data)
        {
            var iov = new Libc.IoVec { Base = p, Length = (nuint)data.Length };
            var msg = new Libc.MsgHdr { Iov = &iov, IovLength = 1 };
            if (fds.Length > 0)
            {
                var header = (Libc.CmsgHdr*)control;
                header->Length = (nuint)(Libc.CmsgHeaderSize + fds.Length * sizeof(int));
                header->Level = Libc.SOL_SOCKET;
                header->Type = Libc.SCM_RIGHTS;
                var slots = (int*)(control + Libc.CmsgHeaderSize);
                for (int i = 0; i < fds.Length; i++) slots[i] = fds[i];
                msg.Control = control;
                msg.ControlLength = (nuint)controlSize;
            }
            while (true)
            {
                if (Libc.SendMsg(socket, &msg, Libc.MSG_NOSIGNAL) >= 0) return true;
                if (Marshal.GetLastPInvokeError() != Libc.EINTR) return false;
            }
        }
    }

    // One message and the descriptors that came with it (close-on-exec); null at end of stream.
    public static (byte[] Data, List<Fd> Fds)? Receive(int socket, int maxFds)
    {
        Span<byte> buffer = stackalloc byte[MaxMessage];
        int controlSize = ControlSize(maxFds);
        byte* control = stackalloc byte[controlSize];
        new Span<byte>(control, controlSize).Clear();
        fixed (byte* p = buffer)
        {
            var iov = new Libc.IoVec { Base = p, Length = (nuint)buffer.Length };
            var msg = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)controlSize };
            nint n;
            while ((n = Libc.RecvMsg(socket, &msg, Libc.MSG_CMSG_CLOEXEC)) < 0)
                if (Marshal.GetLastPInvokeError() != Libc.EINTR) return null;
            var fds = new List<Fd>();
            if (msg.ControlLength >= (nuint)Libc.CmsgHeaderSize)
            {
                var header = (Libc.CmsgHdr*)control;
                if (header->Level == Libc.SOL_SOCKET && header->Type == Libc.SCM_RIGHTS)
                {
                    int count = ((int)header->Length - Libc.CmsgHeaderSize) / sizeof(int);
                    var slots = (int*)(control + Libc.CmsgHeaderSize);
                    for (int i = 0; i < count; i++) fds.Add(new Fd(slots[i]));
                }
            }
            if (n == 0 && fds.Count == 0) return null;
            return (buffer[..(int)n].ToArray(), fds);
        }
    }
}
