using System.Globalization;

namespace Bpm.Host;

// Fields of /proc/PID/stat.
public static class ProcStat
{
    // When the process started, in clock ticks since boot: with its pid, this names one process
    // for good, where a pid alone may since have been given to another. Null when the process is
    // gone or has exited (a zombie).
    public static ulong? StartTime(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        // The command name may hold spaces and parentheses; the fields after its last ")" do not.
        var end = text.LastIndexOf(')');
        if (end < 0) return null;
        var fields = text[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
        if (fields.Length < 20 || fields[0] is "Z" or "X") return null;
        return ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;
    }
}
