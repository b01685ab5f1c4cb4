using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    internal const int RLIMIT_STACK = 3;

    // rlim_t is 64 bits on both architectures.
    [StructLayout(LayoutKind.Sequential)]
    internal struct Rlimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport(Name, EntryPoint = "getrlimit", SetLastError = true)]
    internal static partial int GetRlimit(int resource, out Rlimit limit);
}
