namespace Bpm.Interop;

// The same numbers on x86_64 and aarch64 (both use asm-generic/errno.h).
internal static partial class Libc
{
    internal const int ENOENT = 2, ESRCH = 3, EINTR = 4, ENXIO = 6, ECHILD = 10, EAGAIN = 11, EACCES = 13, EEXIST = 17, ENOTDIR = 20;
    internal const int EISDIR = 21, EINVAL = 22, EPIPE = 32, ELOOP = 40;
}
