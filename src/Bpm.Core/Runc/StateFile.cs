using System.Globalization;
using System.Text.Json;

namespace Bpm.Runc;

// Reads a container's state straight from runc's state.json, the way runc itself decides it:
// the init process is alive when its pid exists with the recorded start time and is not a
// zombie; a container whose exec fifo is still there has been created but not started.
// Spawning `runc state` costs more than the rest of a `bpm pid` or `bpm list` together,
// and monit asks constantly.
public static class StateFile
{
    // Null when the state names no fields we understand (another runc's layout): ask runc then.
    // A state that cannot be read or parsed is Unknown, with the reason.
    public static ContainerState? Read(string stateDir, Func<int, (long StartTime, char State)?> procStat)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(Path.Join(stateDir, "state.json")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var id = Path.GetFileName(stateDir);
            return new ContainerState(id, ContainerStatus.Unknown, Problem: $"failed to read state of {id}: {e.Message}");
        }
        return Parse(Path.GetFileName(stateDir), bytes, File.Exists(Path.Join(stateDir, "exec.fifo")), procStat);
    }

    public static ContainerState? Parse(string id, ReadOnlySpan<byte> json, bool execFifo, Func<int, (long StartTime, char State)?> procStat)
    {
        int pid;
        long start;
        DateTimeOffset created;
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (!root.TryGetProperty("init_process_pid", out var p) || !root.TryGetProperty("init_process_start", out var s))
                return null;
            pid = p.GetInt32();
            start = s.ValueKind == JsonValueKind.String ? long.Parse(s.GetString()!, CultureInfo.InvariantCulture) : s.GetInt64();
            created = root.TryGetProperty("created", out var c) ? c.GetDateTimeOffset() : default;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or OverflowException)
        {
            return new ContainerState(id, ContainerStatus.Unknown, Problem: $"failed to parse state of {id}: {e.Message}");
        }

        var stat = pid > 0 ? procStat(pid) : null;
        bool alive = stat is { } st && st.StartTime == start && st.State is not ('Z' or 'X' or 'x');
        var status = !alive ? ContainerStatus.Exited : execFifo ? ContainerStatus.Created : ContainerStatus.Running;
        return new ContainerState(id, status, alive ? pid : 0, created);
    }
}
