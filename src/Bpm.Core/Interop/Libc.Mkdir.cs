using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MkdirAt(int dirfd, string path, uint mode);

    // Fails (ENOTEMPTY) unless the directory is empty: what it held is never removed with it.
    [LibraryImport(Name, EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Rmdir(string path);
}
