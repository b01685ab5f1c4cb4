using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    internal const int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;

    [LibraryImport(Name, EntryPoint = "lseek", SetLastError = true)]
    internal static partial long LSeek(int fd, long offset, int whence);
}
