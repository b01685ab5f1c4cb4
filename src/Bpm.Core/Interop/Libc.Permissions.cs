using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "fchown", SetLastError = true)]
    internal static partial int Fchown(int fd, uint uid, uint gid);

    [LibraryImport(Name, EntryPoint = "fchmod", SetLastError = true)]
    internal static partial int Fchmod(int fd, uint mode);
}
