using System.Text.Json.Serialization;
using Bpm.Status;

namespace Bpm.Output;

// Machine-readable output of list and status.
public sealed record ListEntry(
    [property: JsonPropertyName("job")] string? Job,
    [property: JsonPropertyName("process")] string? Process,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("container_id")] string ContainerId,
    [property: JsonPropertyName("pid")] int? Pid,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("exit_code")] int? ExitCode,
    [property: JsonPropertyName("exit_signal")] string? ExitSignal);

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(List<ListEntry>))]
[JsonSerializable(typeof(StatusReport))]
public sealed partial class OutputJson : JsonSerializerContext;
