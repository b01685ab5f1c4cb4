using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    internal const int SEEK_CUR = 1, SEEK_END = 2;

    // off_t is 64 bits on both architectures.
    [LibraryImport(Name, EntryPoint = "lseek", SetLastError = true)]
    internal static partial long LSeek(int fd, long offset, int whence);
}
