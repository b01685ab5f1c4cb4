using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    internal const int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGTERM = 15;

    [LibraryImport(Name, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int sig);
}
