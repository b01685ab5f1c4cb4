using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    internal const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
    internal const int O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100, O_TRUNC = 0x200, O_APPEND = 0x400;
    internal const int O_NONBLOCK = 0x800, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    internal const int ELOOP = 40, ENOENT = 2, EEXIST = 17, EINTR = 4, EAGAIN = 11, ESRCH = 3, ENOTDIR = 20, EWOULDBLOCK = 11, ENXIO = 6, EINVAL = 22, EPIPE = 32;

    [LibraryImport(Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags, uint mode);

    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Name, EntryPoint = "fchown", SetLastError = true)]
    internal static partial int Fchown(int fd, uint uid, uint gid);

    [LibraryImport(Name, EntryPoint = "fchmod", SetLastError = true)]
    internal static partial int Fchmod(int fd, uint mode);

    [LibraryImport(Name, EntryPoint = "dup", SetLastError = true)]
    internal static partial int Dup(int fd);

    [LibraryImport(Name, EntryPoint = "pipe2", SetLastError = true)]
    internal static unsafe partial int Pipe2(int* fds, int flags);

    [LibraryImport(Name, EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint Read(int fd, byte* buf, nint count);

    [LibraryImport(Name, EntryPoint = "write", SetLastError = true)]
    internal static unsafe partial nint Write(int fd, byte* buf, nint count);
}
