using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    internal const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;

    [LibraryImport(Name, EntryPoint = "flock", SetLastError = true)]
    internal static partial int Flock(int fd, int operation);
}
