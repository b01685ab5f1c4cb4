using System.Globalization;
using Bpm.Identity;

namespace Bpm.Host;

// sys/run/bpm/JOB/PROC.pre-start, in the root-only pid dir, names the pre_start hook while it
// runs: "PID STARTTIME". The start time makes a marker left by a killed bpm harmless: once its
// hook is gone, no later process with the same pid passes for it.
public static class PreStartMarker
{
    public static void Write(ProcessRef p, int pid)
    {
        if (ProcStat.StartTime(pid) is not { } started) return;
        var text = string.Create(CultureInfo.InvariantCulture, $"{pid} {started}\n");
        // Best effort: the marker only informs `bpm status` and the next start.
        try { SafeFiles.WriteAtomic(p.PreStartMarker, System.Text.Encoding.ASCII.GetBytes(text), 0x180 /* 0600 */); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BpmException) { }
    }

    public static void Remove(ProcessRef p)
    {
        try { File.Delete(p.PreStartMarker); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    // The hook's pid while the hook the marker names is still running; null otherwise.
    public static int? LivePid(ProcessRef p)
    {
        string? text;
        try { text = FileText.Read(p.PreStartMarker); }
        catch (BpmException) { return null; }
        if (text is null) return null;
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 1
            || !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var started))
            return null;
        return ProcStat.StartTime(pid) == started ? pid : null;
    }
}
