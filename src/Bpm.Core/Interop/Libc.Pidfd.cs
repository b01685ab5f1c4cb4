using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    // Numbered alike on x86_64 and aarch64: syscalls added since Linux 5.1 share one table.
    private const long SYS_pidfd_open = 434, SYS_pidfd_send_signal = 424;

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2);

    // A descriptor that becomes readable when the process exits, even when it is not our child.
    internal static int PidfdOpen(int pid) => (int)Syscall(SYS_pidfd_open, pid, 0);

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2, long a3, long a4);

    // Signals the very process the pidfd was opened for, never a later one that reused its pid.
    internal static int PidfdSendSignal(int pidfd, int sig) => (int)Syscall(SYS_pidfd_send_signal, pidfd, sig, 0, 0);
}
