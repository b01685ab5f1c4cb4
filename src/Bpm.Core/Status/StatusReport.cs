using System.Text.Json.Serialization;

namespace Bpm.Status;

// What `bpm status` tells about one process.
public sealed record StatusReport
{
    // The state while a start runs the job's pre-start hook, before there is a container.
    public const string HookRunning = "starting (pre_start hook)";

    [JsonPropertyName("job")] public required string Job { get; init; }
    [JsonPropertyName("process")] public required string Process { get; init; }
    [JsonPropertyName("container_id")] public required string ContainerId { get; init; }
    [JsonPropertyName("state")] public required string State { get; init; }
    [JsonPropertyName("pid")] public int? Pid { get; init; }
    [JsonPropertyName("started_at")] public DateTimeOffset? StartedAt { get; init; }
    [JsonPropertyName("uptime_seconds")] public double? UptimeSeconds { get; init; }
    [JsonPropertyName("memory_bytes")] public long? MemoryBytes { get; init; }
    [JsonPropertyName("memory_peak_bytes")] public long? MemoryPeakBytes { get; init; }
    [JsonPropertyName("memory_limit_bytes")] public long? MemoryLimitBytes { get; init; }
    [JsonPropertyName("pids")] public long? Pids { get; init; }
    [JsonPropertyName("pids_limit")] public long? PidsLimit { get; init; }
    [JsonPropertyName("cpu_seconds")] public double? CpuSeconds { get; init; }
    [JsonPropertyName("oom_kills")] public long? OomKills { get; init; }
    [JsonPropertyName("exit_reason")] public string? ExitReason { get; init; }
    // How the last container's process ended, as its waiter recorded it (all null while it runs,
    // or when nothing was recorded); the end before it; the starts since the last bpm stop, less one.
    [JsonPropertyName("exit_code")] public int? ExitCode { get; init; }
    [JsonPropertyName("exit_signal")] public string? ExitSignal { get; init; }
    [JsonPropertyName("exited_at")] public DateTimeOffset? ExitedAt { get; init; }
    [JsonPropertyName("oom_killed")] public bool? OomKilled { get; init; }
    [JsonPropertyName("stopped_by_bpm")] public bool? StoppedByBpm { get; init; }
    [JsonPropertyName("last_exit")] public ProcessEnd? LastExit { get; init; }
    [JsonPropertyName("restarts")] public int Restarts { get; init; }
    // The end the five keys above spell out.
    [JsonIgnore] public ProcessEnd? End { get; init; }

    public StatusReport WithHistory(ExitHistory history, bool running)
    {
        var end = running ? null : history.End;
        return this with
        {
            End = end,
            ExitCode = end?.ExitCode,
            ExitSignal = end?.ExitSignal,
            ExitedAt = end?.ExitedAt,
            OomKilled = end?.OomKilled,
            StoppedByBpm = end?.StoppedByBpm,
            LastExit = history.LastExit,
            Restarts = history.Restarts,
        };
    }
}
