using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    internal const int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGPIPE = 13, SIGTERM = 15;

    // glibc's sigset_t holds 1024 bits on every architecture, whatever the kernel's 64.
    internal const int SigSetSize = 128;

    [LibraryImport(Name, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int sig);

    [LibraryImport(Name, EntryPoint = "sigemptyset")]
    internal static unsafe partial int SigEmptySet(byte* set);

    [LibraryImport(Name, EntryPoint = "sigfillset")]
    internal static unsafe partial int SigFillSet(byte* set);
}
