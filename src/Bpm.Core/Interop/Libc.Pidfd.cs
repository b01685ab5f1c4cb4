using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    private const long SYS_pidfd_open = 434;
    internal const short POLLIN = 1;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2);

    // A descriptor that becomes readable when the process exits, even when it is not our child.
    internal static int PidfdOpen(int pid) => (int)Syscall(SYS_pidfd_open, pid, 0);

    [LibraryImport(Name, EntryPoint = "poll", SetLastError = true)]
    internal static unsafe partial int Poll(PollFd* fds, nuint nfds, int timeout);
}
