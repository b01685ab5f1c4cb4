using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    internal const int F_SETPIPE_SZ = 1031;

    // fcntl is variadic; the commands used here all take one int, passed like a fixed argument on
    // the Linux ABIs we build for.
    [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(int fd, int cmd, int arg);
}
