using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    internal const int IN_NONBLOCK = 0x800, IN_CLOEXEC = 0x80000;
    internal const uint IN_MOVED_TO = 0x80, IN_CREATE = 0x100, IN_ONLYDIR = 0x1000000;

    [LibraryImport(Name, EntryPoint = "inotify_init1", SetLastError = true)]
    internal static partial int InotifyInit1(int flags);

    [LibraryImport(Name, EntryPoint = "inotify_add_watch", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int InotifyAddWatch(int fd, string path, uint mask);
}
