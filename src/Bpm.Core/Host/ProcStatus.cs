using System.Globalization;

namespace Bpm.Host;

// Fields of /proc/PID/status.
public static class ProcStatus
{
    // A field written in hex (a signal mask: SigIgn, SigBlk...; a capability set: CapBnd...) as
    // bits; null when the process is gone or has no such field.
    public static ulong? Bits(int pid, string field)
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
