using Bpm.Identity;

namespace Bpm.Host;

// sys/run/bpm/JOB/PROC.pre-start names the pre_start hook while it runs (PidMarker).
public static class PreStartMarker
{
    public static void Write(ProcessRef p, int pid) => PidMarker.Write(p.PreStartMarker, pid);

    public static void Remove(ProcessRef p) => PidMarker.Remove(p.PreStartMarker);

    // The hook's pid while the hook the marker names is still running; null otherwise.
    public static int? LivePid(ProcessRef p) => PidMarker.LivePid(p.PreStartMarker);
}
