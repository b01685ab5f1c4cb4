using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    // struct stat on x86_64 / aarch64 glibc is 144 / 128 bytes; we read the few fields we need
    // through statx, whose layout is the same on every architecture.
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

    internal const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
    internal const uint STATX_BASIC_STATS = 0x7ff;
    internal const ushort S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFLNK = 0xA000, S_IFREG = 0x8000;

    [LibraryImport(Name, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int StatxCall(int dirfd, string path, int flags, uint mask, out Statx buf);
}
