using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "isatty")]
    internal static partial int IsATty(int fd);
}
