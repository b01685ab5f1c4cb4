using System.Globalization;

namespace Bpm.Host;

// Fields of /proc/PID/status.
public static class ProcStatus
{
    // A signal mask line (SigIgn, SigBlk, SigCgt...) as bits; null when the process is gone.
    public static ulong? SignalMask(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                    return ulong.Parse(line.AsSpan(field.Length + 1).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }
}
