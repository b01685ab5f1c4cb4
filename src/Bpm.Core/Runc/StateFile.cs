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
            if (!ReadFields(json, out pid, out start, out created)) return null;
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

    // The three top-level fields, read in one pass that skips the rest (runc's state holds the
    // whole spec, tens of kB, which a JsonDocument would index in full). False when the pid or the
    // start time is missing.
    private static bool ReadFields(ReadOnlySpan<byte> json, out int pid, out long start, out DateTimeOffset created)
    {
        pid = 0;
        start = 0;
        created = default;
        bool havePid = false, haveStart = false;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read()) throw new JsonException("empty state");
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("state is not an object");
        while (true)
        {
            if (!reader.Read()) throw new JsonException("truncated state");
            if (reader.TokenType == JsonTokenType.EndObject) break;
            bool isPid = reader.ValueTextEquals("init_process_pid"u8);
            bool isStart = !isPid && reader.ValueTextEquals("init_process_start"u8);
            bool isCreated = !isPid && !isStart && reader.ValueTextEquals("created"u8);
            if (!reader.Read()) throw new JsonException("truncated state");
            if (isPid)
            {
                pid = reader.GetInt32();
                havePid = true;
            }
            else if (isStart)
            {
                start = reader.TokenType == JsonTokenType.String ? long.Parse(reader.GetString()!, CultureInfo.InvariantCulture) : reader.GetInt64();
                haveStart = true;
            }
            else if (isCreated) created = reader.GetDateTimeOffset();
            else reader.Skip();
        }
        return havePid && haveStart;
    }
}
