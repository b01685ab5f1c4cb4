using System.Runtime.InteropServices;

namespace Bpm.Interop;

// bpm is built for x86_64 and aarch64 Linux only (Bpm.csproj refuses other targets). Nearly every
// value in this folder is the same on both; the few that are not are picked here. In a NativeAOT
// build ProcessArchitecture is a constant, so the pick folds away and costs nothing at startup.
internal static partial class Libc
{
    internal static int ByArch(int x64, int arm64) => ByArch(RuntimeInformation.ProcessArchitecture, x64, arm64);

    internal static int ByArch(Architecture arch, int x64, int arm64) => arch switch
    {
        Architecture.X64 => x64,
        Architecture.Arm64 => arm64,
        // Another architecture may number the flags otherwise (ppc64le, mips) or size the
        // structs otherwise (32-bit): refuse rather than pass the kernel a wrong value.
        _ => throw new PlatformNotSupportedException($"bpm supports x86_64 and aarch64 only, not {arch}"),
    };
}
