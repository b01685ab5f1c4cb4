using System.Text.Json.Serialization;

namespace Bpm.Runc;

// Every state a process's container can be in, as bpm sees it.
public enum ContainerStatus
{
    // runc knows no such container.
    Absent,
    Creating,
    Created,
    Running,
    Paused,
    // Its process has ended without bpm stopping it (runc says "stopped").
    Exited,
    // runc's record of it cannot be read (e.g. truncated when the host lost power).
    Unknown,
}

// One container as runc recorded it. `Problem` says why an Unknown one could not be read.
public sealed record ContainerState(string Id, ContainerStatus Status, int Pid = 0, DateTimeOffset Created = default, string? Problem = null)
{
    public static ContainerState AbsentFor(string id) => new(id, ContainerStatus.Absent);

    public bool IsRunning => Status == ContainerStatus.Running && Pid > 0;

    // What `bpm list` and `bpm status` call it.
    public string Name => Status switch
    {
        ContainerStatus.Absent => "stopped",
        ContainerStatus.Exited => "failed",
        _ => RuncName,
    };

    // runc's own word for it, as bpm.log records it.
    public string RuncName => Status switch
    {
        ContainerStatus.Absent => "absent",
        ContainerStatus.Creating => "creating",
        ContainerStatus.Created => "created",
        ContainerStatus.Running => "running",
        ContainerStatus.Paused => "paused",
        ContainerStatus.Exited => "stopped",
        _ => "unknown",
    };

    public static ContainerStatus Parse(string runcStatus) => runcStatus switch
    {
        "creating" => ContainerStatus.Creating,
        "created" => ContainerStatus.Created,
        "running" => ContainerStatus.Running,
        "paused" => ContainerStatus.Paused,
        "stopped" => ContainerStatus.Exited,
        _ => ContainerStatus.Unknown,
    };
}

// What `runc state` prints for one container.
public sealed record RuncStateJson
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("pid")] public int Pid { get; init; }
    [JsonPropertyName("status")] public string Status { get; init; } = "";
    [JsonPropertyName("created")] public DateTimeOffset Created { get; init; }
}

[JsonSerializable(typeof(RuncStateJson))]
public sealed partial class RuncJson : JsonSerializerContext;
