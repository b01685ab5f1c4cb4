using System.Text;

namespace Bpm.Config;

// What execve(2) accepts: a new program's arguments and environment are copied onto its stack,
// and the kernel refuses (E2BIG, "argument list too long") any single string longer than
// MAX_ARG_STRLEN and a total over a quarter of the stack limit (fs/exec.c). runc reports that
// only in the container's stderr log, after `bpm start` has returned 0, so bpm checks first.
public static class ExecSpace
{
    // MAX_ARG_STRLEN, 32 pages of 4 KiB: the most one string may take, its NUL included.
    public const int MaxString = 32 * 4096;

    // ARG_MAX: the kernel allows at least this much whatever the stack limit.
    public const long MinTotal = 32 * 4096;

    // The kernel's cap whatever the stack limit: three quarters of _STK_LIM (8 MiB) / 4.
    public const long MaxTotal = 6L << 20;

    // For an 8 MiB stack limit, the usual default.
    public const long DefaultTotal = 2L << 20;

    public static long TotalFor(ulong stackLimit) => Math.Clamp((long)Math.Min(stackLimit / 4, (ulong)MaxTotal), MinTotal, MaxTotal);

    // Bytes one string takes on the new stack.
    public static long Size(string s) => Encoding.UTF8.GetByteCount(s) + 1;

    // Bytes the kernel counts against the total: the file name it executes, every string,
    // and a pointer for each argument and environment string.
    public static long Total(string file, IReadOnlyList<string> argv, IReadOnlyList<string> envp) =>
        Size(file) + argv.Sum(Size) + envp.Sum(Size) + (long)(Math.Max(argv.Count, 1) + envp.Count) * IntPtr.Size;
}
