using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    // struct stat differs between x86_64 (144 bytes, 64-bit st_nlink before st_mode) and aarch64
    // (128 bytes, the generic layout: st_mode before a 32-bit st_nlink). We read the few fields we
    // need through statx instead, whose layout the kernel fixes for every architecture.
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct Statx
    {
        public uint Mask;
        public uint BlkSize;
        public ulong Attributes;
        public uint Nlink;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        private ushort _pad1;
        public ulong Ino;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        private fixed byte _rest[256 - 64];
    }

    internal const int AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
    internal const uint STATX_BASIC_STATS = 0x7ff;
    internal const ushort S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFLNK = 0xA000, S_IFREG = 0x8000, S_IFCHR = 0x2000, S_IFBLK = 0x6000;

    [LibraryImport(Name, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int StatxCall(int dirfd, string path, int flags, uint mask, out Statx buf);
}
