using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    internal const int PR_SET_CHILD_SUBREAPER = 36;
    internal const int WNOHANG = 1;
    internal const int MADV_DONTNEED = 4;

    [LibraryImport(Name, EntryPoint = "prctl", SetLastError = true)]
    internal static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Name, EntryPoint = "setsid", SetLastError = true)]
    internal static partial int Setsid();

    [LibraryImport(Name, EntryPoint = "execve", SetLastError = true)]
    internal static unsafe partial int Execve(byte* path, byte** argv, byte** envp);

    [LibraryImport(Name, EntryPoint = "madvise", SetLastError = true)]
    internal static unsafe partial int Madvise(void* addr, nuint length, int advice);
}
