using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    internal const int F_SETPIPE_SZ = 1031;

    // fcntl is variadic; the commands used here all take one int, passed like a fixed argument on
    // both ABIs we build for (the System V x86_64 one and AAPCS64 as Linux uses it).
    [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(int fd, int cmd, int arg);
}
