using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Bpm.Status;

// What bpm keeps of a process's ends: the end of its current (or last) container, the one before
// it, and how many times it was started since the last `bpm stop`. Its record is JSON
// (`{"end":…,"last_exit":…,"starts":N}`), written and read by hand rather than by the serializer,
// whose first use in a process builds type metadata: every start reads and writes it.
public sealed record ExitHistory
{
    public static readonly ExitHistory Empty = new();

    // Null while the current container runs.
    public ProcessEnd? End { get; init; }
    public ProcessEnd? LastExit { get; init; }
    public int Starts { get; init; }

    // The first start after a stop is not a restart.
    public int Restarts => Math.Max(0, Starts - 1);

    // A new container: the end of the one before moves to last_exit.
    public ExitHistory Started() => new() { End = null, LastExit = End, Starts = Starts + 1 };

    public ExitHistory Ended(ProcessEnd end) => this with { End = end };

    public ExitHistory Stopped() => this with { Starts = 0 };

    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            WriteEnd(json, "end", End);
            WriteEnd(json, "last_exit", LastExit);
            json.WriteNumber("starts", Starts);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    // What a record says; Empty for one that is not a record.
    public static ExitHistory FromJson(ReadOnlySpan<byte> text)
    {
        try
        {
            var reader = new Utf8JsonReader(text);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Empty;
            return new ExitHistory
            {
                End = ReadEnd(root, "end"),
                LastExit = ReadEnd(root, "last_exit"),
                Starts = root.TryGetProperty("starts", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var n) && n >= 0 ? n : 0,
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException) { return Empty; }
    }

    private static void WriteEnd(Utf8JsonWriter json, string name, ProcessEnd? end)
    {
        if (end is null)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartObject(name);
        if (end.ExitCode is { } code) json.WriteNumber("exit_code", code);
        else json.WriteNull("exit_code");
        if (end.ExitSignal is { } signal) json.WriteString("exit_signal", signal);
        else json.WriteNull("exit_signal");
        json.WriteString("exited_at", end.ExitedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        json.WriteBoolean("oom_killed", end.OomKilled);
        json.WriteBoolean("stopped_by_bpm", end.StoppedByBpm);
        json.WriteEndObject();
    }

    private static ProcessEnd? ReadEnd(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var e) || e.ValueKind != JsonValueKind.Object) return null;
        if (!e.TryGetProperty("exited_at", out var at) || at.ValueKind != JsonValueKind.String || !at.TryGetDateTimeOffset(out var exitedAt)) return null;
        return new ProcessEnd
        {
            ExitCode = e.TryGetProperty("exit_code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var code) ? code : null,
            ExitSignal = e.TryGetProperty("exit_signal", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null,
            ExitedAt = exitedAt,
            OomKilled = e.TryGetProperty("oom_killed", out var o) && o.ValueKind == JsonValueKind.True,
            StoppedByBpm = e.TryGetProperty("stopped_by_bpm", out var b) && b.ValueKind == JsonValueKind.True,
        };
    }
}
