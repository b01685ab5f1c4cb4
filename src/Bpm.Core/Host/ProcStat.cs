using System.Globalization;

namespace Bpm.Host;

// Fields 3 (state) and 22 (start time) of /proc/PID/stat.
public static class ProcStat
{
    public static (long StartTime, char State)? Read(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        return Parse(text);
    }

    // The command name may hold spaces and parentheses, so fields are counted after its last ")".
    public static (long StartTime, char State)? Parse(string text)
    {
        int close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state); field 22 is fields[19].
        if (fields.Length < 20 || fields[0].Length != 1) return null;
        return long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime)
            ? (startTime, fields[0][0])
            : null;
    }

    // When the process started, in clock ticks since boot: with its pid, this names one process
    // for good, where a pid alone may since have been given to another. Null when the process is
    // gone or has exited (a zombie).
    public static ulong? StartTime(int pid) =>
        Read(pid) is { State: not ('Z' or 'X' or 'x') } stat ? (ulong)stat.StartTime : null;
}
