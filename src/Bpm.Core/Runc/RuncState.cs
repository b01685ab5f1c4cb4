using System.Text.Json.Serialization;

namespace Bpm.Runc;

// What `runc state` and `runc list --format json` print for one container.
public sealed record RuncState
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("pid")] public int Pid { get; init; }
    [JsonPropertyName("status")] public string Status { get; init; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; init; } = "";
    [JsonPropertyName("created")] public DateTimeOffset Created { get; init; }
}

[JsonSerializable(typeof(RuncState))]
public sealed partial class RuncJson : JsonSerializerContext;
