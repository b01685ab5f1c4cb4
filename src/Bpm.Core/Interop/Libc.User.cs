using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    // 48 bytes on both architectures: pointers, then uid and gid side by side, then pointers.
    [StructLayout(LayoutKind.Sequential)]
    internal struct Passwd
    {
        public nint Name;
        public nint Password;
        public uint Uid;
        public uint Gid;
        public nint Gecos;
        public nint Dir;
        public nint Shell;
    }

    [LibraryImport(Name, EntryPoint = "getpwnam_r", StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int GetPwNamR(string name, out Passwd pwd, byte* buf, nint buflen, out nint result);

    [LibraryImport(Name, EntryPoint = "getpwuid_r")]
    internal static unsafe partial int GetPwUidR(uint uid, out Passwd pwd, byte* buf, nint buflen, out nint result);

    [LibraryImport(Name, EntryPoint = "geteuid")]
    internal static partial uint Geteuid();
}
