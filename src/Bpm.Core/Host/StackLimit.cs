using Bpm.Config;
using Bpm.Interop;

namespace Bpm.Host;

// The container's processes inherit bpm's stack limit (the spec sets no RLIMIT_STACK), and the
// kernel sizes the room for a new program's arguments and environment from it.
public static class StackLimit
{
    public static long ExecTotal() =>
        Libc.GetRlimit(Libc.RLIMIT_STACK, out var limit) == 0 ? ExecSpace.TotalFor(limit.Current) : ExecSpace.DefaultTotal;
}
