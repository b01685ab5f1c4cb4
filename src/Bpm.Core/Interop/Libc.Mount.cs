using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    internal const ulong MS_NOSUID = 0x2, MS_NODEV = 0x4, MS_NOEXEC = 0x8, MS_BIND = 0x1000, MS_REC = 0x4000, MS_SHARED = 1 << 20;
    internal const int MNT_DETACH = 2, UMOUNT_NOFOLLOW = 8;

    [LibraryImport(Name, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Mount(string? source, string target, string? fstype, ulong flags, string? data);

    [LibraryImport(Name, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Umount2(string target, int flags);
}
