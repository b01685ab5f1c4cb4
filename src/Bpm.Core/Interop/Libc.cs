using System.Runtime.InteropServices;

namespace Bpm.Interop;

// Every call into the kernel goes through this folder: one syscall family per file.
internal static partial class Libc
{
    internal const string Name = "libc";

    // Errno turned into an exception naming the operation and the path.
    internal static Exception Error(string operation, string? path = null)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new SyscallException(operation, path, errno);
    }
}

public sealed class SyscallException(string operation, string? path, int errno)
    : BpmException(path is null
        ? $"{operation}: {Marshal.GetPInvokeErrorMessage(errno)}"
        : $"{operation} {path}: {Marshal.GetPInvokeErrorMessage(errno)}")
{
    public int Errno { get; } = errno;
}
