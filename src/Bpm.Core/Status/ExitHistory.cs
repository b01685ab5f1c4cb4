using System.Text.Json.Serialization;

namespace Bpm.Status;

// What bpm keeps of a process's ends: the end of its current (or last) container, the one before
// it, and how many times it was started since the last `bpm stop`.
public sealed record ExitHistory
{
    public static readonly ExitHistory Empty = new();

    // Null while the current container runs.
    [JsonPropertyName("end")] public ProcessEnd? End { get; init; }
    [JsonPropertyName("last_exit")] public ProcessEnd? LastExit { get; init; }
    [JsonPropertyName("starts")] public int Starts { get; init; }

    // The first start after a stop is not a restart. Derived, so not in the record.
    [JsonIgnore] public int Restarts => Math.Max(0, Starts - 1);

    // A new container: the end of the one before moves to last_exit.
    public ExitHistory Started() => new() { End = null, LastExit = End, Starts = Starts + 1 };

    public ExitHistory Ended(ProcessEnd end) => this with { End = end };

    public ExitHistory Stopped() => this with { Starts = 0 };
}

[JsonSerializable(typeof(ExitHistory))]
public sealed partial class RecordsJson : JsonSerializerContext;
