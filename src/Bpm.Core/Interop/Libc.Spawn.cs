using System.Runtime.InteropServices;

namespace Bpm.Interop;

internal static partial class Libc
{
    // posix_spawn_file_actions_t and posix_spawnattr_t are opaque; glibc's are 80 and 336 bytes
    // on both x86_64 and aarch64.
    internal const int FileActionsSize = 80, SpawnAttrSize = 336;
    internal const short POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_init")]
    internal static unsafe partial int FileActionsInit(byte* actions);

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_destroy")]
    internal static unsafe partial int FileActionsDestroy(byte* actions);

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_adddup2")]
    internal static unsafe partial int FileActionsAddDup2(byte* actions, int fd, int newfd);

    // glibc 2.34 and later; callers fall back when the symbol is missing.
    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_addclosefrom_np")]
    internal static unsafe partial int FileActionsAddCloseFrom(byte* actions, int from);

    // glibc 2.29 and later; the path is copied, so it need not outlive the call.
    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_addchdir_np", StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int FileActionsAddChdir(byte* actions, string path);

    [LibraryImport(Name, EntryPoint = "posix_spawn", StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int PosixSpawn(out int pid, string path, byte* actions, byte* attr, nint* argv, nint* envp);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_init")]
    internal static unsafe partial int SpawnAttrInit(byte* attr);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_destroy")]
    internal static unsafe partial int SpawnAttrDestroy(byte* attr);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setflags")]
    internal static unsafe partial int SpawnAttrSetFlags(byte* attr, short flags);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setpgroup")]
    internal static unsafe partial int SpawnAttrSetPGroup(byte* attr, int pgroup);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setsigmask")]
    internal static unsafe partial int SpawnAttrSetSigMask(byte* attr, byte* sigset);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setsigdefault")]
    internal static unsafe partial int SpawnAttrSetSigDefault(byte* attr, byte* sigset);
}
