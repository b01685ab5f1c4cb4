using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    private const long SYS_pidfd_open = 434;

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2);

    // A descriptor that becomes readable when the process exits, even when it is not our child.
    internal static int PidfdOpen(int pid) => (int)Syscall(SYS_pidfd_open, pid, 0);
}
