using System.Globalization;

namespace Bpm.Host;

// A file in the root-only pid dir that names a running process of bpm's own (a pre_start hook,
// a waiter): "PID STARTTIME". The start time makes a marker left behind harmless: once its
// process is gone, no later process with the same pid passes for it.
public static class PidMarker
{
    // Best effort: a marker only informs later commands.
    public static void Write(string path, int pid)
    {
        if (ProcStat.StartTime(pid) is not { } started) return;
        var text = string.Create(CultureInfo.InvariantCulture, $"{pid} {started}\n");
        try { SafeFiles.WriteAtomic(path, System.Text.Encoding.ASCII.GetBytes(text), 0x180 /* 0600 */); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BpmException) { }
    }

    public static void Remove(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    // The pid while the process the marker names is still running; null otherwise.
    public static int? LivePid(string path)
    {
        string? text;
        try { text = FileText.Read(path); }
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
