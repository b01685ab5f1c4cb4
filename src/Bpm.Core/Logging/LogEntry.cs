using System.Text.Json.Serialization;

namespace Bpm.Logging;

// One line of bpm.log, in the shape of the original's lager output.
public sealed record LogEntry(
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("data")] Dictionary<string, string> Data);

[JsonSerializable(typeof(LogEntry))]
[JsonSerializable(typeof(string))]
public sealed partial class LogJson : JsonSerializerContext;
