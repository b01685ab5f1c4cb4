using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    internal const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
    internal const int O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100, O_TRUNC = 0x200, O_APPEND = 0x400;
    internal const int O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000, O_PATH = 0x200000;

    // arm64 numbers these two otherwise (asm/fcntl.h): x86_64's values would mean O_DIRECT and
    // O_LARGEFILE there, so an open meant not to follow a symlink would follow it.
    internal static int O_DIRECTORY => ByArch(x64: 0x10000, arm64: 0x4000);
    internal static int O_NOFOLLOW => ByArch(x64: 0x20000, arm64: 0x8000);

    // The directory descriptor of the *at calls that means "relative to the working directory".
    internal const int AT_FDCWD = -100;

    [LibraryImport(Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags, uint mode);

    // Relative to an open directory, so that a path is resolved one checked component at a time.
    [LibraryImport(Name, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int OpenAt(int dirfd, string path, int flags, uint mode);

    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
