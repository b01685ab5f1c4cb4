using System.Text.Json.Serialization;

namespace Bpm.Status;

// How a detached process ended, as its waiter saw it: an exit code, or the signal that killed it.
public sealed record ProcessEnd
{
    [JsonPropertyName("exit_code")] public int? ExitCode { get; init; }
    [JsonPropertyName("exit_signal")] public string? ExitSignal { get; init; }
    [JsonPropertyName("exited_at")] public DateTimeOffset ExitedAt { get; init; }
    [JsonPropertyName("oom_killed")] public bool OomKilled { get; init; }
    [JsonPropertyName("stopped_by_bpm")] public bool StoppedByBpm { get; init; }

    // From the wait status of the container's init, tini. tini ends the way its child did: with
    // its exit code, or, for a child killed by signal N, with 128+N, as a shell reports it; a
    // signal that killed tini itself (a KILL from the host, the kernel's memory killer) shows in
    // the status as such. Either way, a signal is named. A process that calls exit(137) itself
    // is therefore reported as killed by KILL, as tini and a shell would say.
    public static ProcessEnd Of(int waitStatus, DateTimeOffset at, bool oomKilled, bool stoppedByBpm)
    {
        int signal = waitStatus & 0x7f;
        int code = (waitStatus >> 8) & 0xff;
        if (signal == 0 && code > 128 && code - 128 <= SignalNames.Max) signal = code - 128;
        return new ProcessEnd
        {
            ExitCode = signal == 0 ? code : null,
            ExitSignal = signal == 0 ? null : SignalNames.Of(signal),
            ExitedAt = at,
            OomKilled = oomKilled,
            StoppedByBpm = stoppedByBpm,
        };
    }

    // "exit code 7" or "killed by KILL", with what else is known.
    public string Describe()
    {
        var text = ExitSignal is { } sig ? $"killed by {sig}" : $"exit code {ExitCode}";
        if (OomKilled) text += ", memory limit reached";
        if (StoppedByBpm) text += ", stopped by bpm";
        return text + " at " + ExitedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
    }
}
