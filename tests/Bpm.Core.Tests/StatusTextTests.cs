using System.Text.Json;
using Bpm.Output;
using Bpm.Status;
using Xunit;

namespace Bpm.Tests;

public class StatusTextTests
{
    private static readonly DateTimeOffset Started = new(2026, 11, 26, 16, 21, 4, 287, TimeSpan.Zero);

    private static StatusReport Running => new()
    {
        Job = "cap",
        Process = "cap",
        ContainerId = "bpm-cap",
        State = "running",
        Pid = 2390,
        StartedAt = Started,
        UptimeSeconds = 1.542,
        MemoryBytes = 1101824,
        MemoryPeakBytes = 3559424,
        MemoryLimitBytes = 67108864,
        Pids = 3,
        PidsLimit = 50,
        CpuSeconds = 0.043,
        OomKills = 0,
    };

    private static StatusReport OomKilled => new()
    {
        Job = "oom",
        Process = "oom",
        ContainerId = "bpm-oom",
        State = "failed",
        StartedAt = new DateTimeOffset(2026, 11, 26, 16, 21, 16, 48, TimeSpan.Zero),
        MemoryBytes = 81920,
        MemoryPeakBytes = 31457280,
        MemoryLimitBytes = 31457280,
        Pids = 0,
        CpuSeconds = 0.047,
        OomKills = 1,
        ExitReason = ExitReasons.Oom,
    };

    private static StatusReport Stopped => new() { Job = "web", Process = "worker", ContainerId = "bpm-web.2eworker", State = "stopped" };

    // ------------------------------------------------------------------ human form

    [Fact]
    public void RunningProcess() =>
        Assert.Equal(
            "job:       cap\n" +
            "process:   cap\n" +
            "container: bpm-cap\n" +
            "state:     running\n" +
            "pid:       2390\n" +
            "started:   2026-11-26T16:21:04Z (up 1s)\n" +
            "memory:    1.1 MiB (peak 3.4 MiB, limit 64.0 MiB)\n" +
            "pids:      3 (limit 50)\n" +
            "cpu:       0.043 s\n" +
            "oom kills: 0\n",
            StatusText.Format(Running));

    [Fact]
    public void OomKilledProcess() =>
        Assert.Equal(
            "job:         oom\n" +
            "process:     oom\n" +
            "container:   bpm-oom\n" +
            "state:       failed\n" +
            "started:     2026-11-26T16:21:16Z\n" +
            "memory:      80.0 KiB (peak 30.0 MiB, limit 30.0 MiB)\n" +
            "pids:        0 (limit none)\n" +
            "cpu:         0.047 s\n" +
            "oom kills:   1\n" +
            "exit reason: killed by the memory limit\n",
            StatusText.Format(OomKilled));

    [Fact]
    public void StoppedProcessShowsOnlyItsIdentity() =>
        Assert.Equal(
            "job:       web\n" +
            "process:   worker\n" +
            "container: bpm-web.2eworker\n" +
            "state:     stopped\n",
            StatusText.Format(Stopped));

    [Fact]
    public void HowItEndedAndTheEndBeforeFollowTheFigures()
    {
        var at = new DateTimeOffset(2026, 12, 8, 2, 16, 3, TimeSpan.Zero);
        var history = ExitHistory.Empty.Started().Ended(ProcessEnd.Of(9, at, oomKilled: true, stoppedByBpm: false)).Started()
            .Ended(ProcessEnd.Of(7 << 8, at.AddMinutes(1), false, false));
        Assert.Equal(
            "job:       web\n" +
            "process:   worker\n" +
            "container: bpm-web.2eworker\n" +
            "state:     stopped\n" +
            "exit:      exit code 7 at 2026-12-08T02:17:03Z\n" +
            "last exit: killed by KILL, memory limit reached at 2026-12-08T02:16:03Z\n" +
            "restarts:  1\n",
            StatusText.Format(Stopped.WithHistory(history, running: false)));
        // While it runs, its own end is not known yet.
        Assert.DoesNotContain("\nexit:", StatusText.Format(Stopped.WithHistory(history, running: true)));
    }

    [Fact]
    public void NoMemoryLimitSaysNone()
    {
        var text = StatusText.Format(Running with { MemoryLimitBytes = null, MemoryPeakBytes = null });
        Assert.Contains("memory:    1.1 MiB (limit none)\n", text);
    }

    [Fact]
    public void NoPidsLimitSaysNone() =>
        Assert.Contains("pids:      3 (limit none)\n", StatusText.Format(Running with { PidsLimit = null }));

    [Fact]
    public void FiguresTheHostDoesNotReportAreLeftOut()
    {
        var text = StatusText.Format(Running with
        {
            MemoryBytes = null,
            MemoryPeakBytes = null,
            MemoryLimitBytes = null,
            Pids = null,
            PidsLimit = null,
            CpuSeconds = null,
            OomKills = null,
        });
        Assert.DoesNotContain("memory:", text);
        Assert.DoesNotContain("pids:", text);
        Assert.DoesNotContain("cpu:", text);
        Assert.DoesNotContain("oom kills:", text);
        Assert.Contains("pid:", text);
    }

    [Fact]
    public void StartTimeIsUtc()
    {
        var local = new DateTimeOffset(2026, 11, 26, 18, 21, 4, TimeSpan.FromHours(2));
        var text = StatusText.Format(Running with { StartedAt = local, UptimeSeconds = 3725 });
        Assert.Contains("started:   2026-11-26T16:21:04Z (up 1h2m5s)\n", text);
    }

    [Fact]
    public void EveryLineIsKeyColonValue()
    {
        foreach (var report in new[] { Running, OomKilled, Stopped })
        {
            var text = StatusText.Format(report);
            Assert.EndsWith("\n", text);
            foreach (var line in text.TrimEnd('\n').Split('\n'))
                Assert.Matches(@"^[a-z ]+: +\S", line);
        }
    }

    // ------------------------------------------------------------------ Bytes and Duration

    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(1L, "1 B")]
    [InlineData(1023L, "1023 B")]
    [InlineData(1024L, "1.0 KiB")]
    [InlineData(1536L, "1.5 KiB")]
    [InlineData(81920L, "80.0 KiB")]
    [InlineData(1101824L, "1.1 MiB")]
    [InlineData(31457280L, "30.0 MiB")]
    [InlineData(67108864L, "64.0 MiB")]
    [InlineData(1073741824L, "1.0 GiB")]
    [InlineData(1099511627776L, "1.0 TiB")]
    [InlineData(5L * 1024 * 1099511627776L, "5120.0 TiB")]
    public void Bytes(long bytes, string expected) => Assert.Equal(expected, StatusText.Bytes(bytes));

    [Theory]
    [InlineData(0.0, "0s")]
    [InlineData(0.999, "0s")]
    [InlineData(1.542, "1s")]
    [InlineData(59.9, "59s")]
    [InlineData(60.0, "1m0s")]
    [InlineData(61.0, "1m1s")]
    [InlineData(3600.0, "1h0m0s")]
    [InlineData(3725.0, "1h2m5s")]
    [InlineData(86400.0, "1d0h0m0s")]
    [InlineData(90061.0, "1d1h1m1s")]
    public void Duration(double seconds, string expected) => Assert.Equal(expected, StatusText.Duration(seconds));

    // ------------------------------------------------------------------ JSON form

    private static readonly string[] JsonKeys =
    [
        "job", "process", "container_id", "state", "pid", "started_at", "uptime_seconds", "memory_bytes",
        "memory_peak_bytes", "memory_limit_bytes", "pids", "pids_limit", "cpu_seconds", "oom_kills", "exit_reason",
        "exit_code", "exit_signal", "exited_at", "oom_killed", "stopped_by_bpm", "last_exit", "restarts",
    ];

    [Fact]
    public void JsonHasEveryKeyEvenWhenNull()
    {
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(Stopped, OutputJson.Default.StatusReport));
        var keys = doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(JsonKeys, keys);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("pid").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("exit_reason").ValueKind);
        Assert.Equal("bpm-web.2eworker", doc.RootElement.GetProperty("container_id").GetString());
    }

    [Fact]
    public void JsonOfARunningProcess()
    {
        var json = JsonSerializer.Serialize(Running, OutputJson.Default.StatusReport);
        Assert.DoesNotContain("\n", json);
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        Assert.Equal("running", r.GetProperty("state").GetString());
        Assert.Equal(2390, r.GetProperty("pid").GetInt32());
        Assert.Equal(Started, r.GetProperty("started_at").GetDateTimeOffset());
        Assert.Equal(1.542, r.GetProperty("uptime_seconds").GetDouble());
        Assert.Equal(1101824, r.GetProperty("memory_bytes").GetInt64());
        Assert.Equal(3559424, r.GetProperty("memory_peak_bytes").GetInt64());
        Assert.Equal(67108864, r.GetProperty("memory_limit_bytes").GetInt64());
        Assert.Equal(3, r.GetProperty("pids").GetInt64());
        Assert.Equal(50, r.GetProperty("pids_limit").GetInt64());
        Assert.Equal(0.043, r.GetProperty("cpu_seconds").GetDouble());
        Assert.Equal(0, r.GetProperty("oom_kills").GetInt64());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("exit_reason").ValueKind);
    }

    [Fact]
    public void JsonOfAnOomKilledProcess()
    {
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(OomKilled, OutputJson.Default.StatusReport));
        var r = doc.RootElement;
        Assert.Equal("failed", r.GetProperty("state").GetString());
        Assert.Equal(1, r.GetProperty("oom_kills").GetInt64());
        Assert.Equal("killed by the memory limit", r.GetProperty("exit_reason").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("pids_limit").ValueKind);
        Assert.Equal(JsonValueKind.Null, r.GetProperty("uptime_seconds").ValueKind);
    }

    // ------------------------------------------------------------------ exit reason

    [Fact]
    public void ExitReasonNamesTheMemoryLimitOnlyWhenSomethingWasKilled()
    {
        Assert.Equal("killed by the memory limit", ExitReasons.OfDetached(new CgroupStats { OomKills = 1 }));
        Assert.Equal("killed by the memory limit", ExitReasons.OfDetached(new CgroupStats { OomKills = 4 }));
        Assert.NotEqual("killed by the memory limit", ExitReasons.OfDetached(new CgroupStats { OomKills = 0 }));
        Assert.NotEqual("killed by the memory limit", ExitReasons.OfDetached(new CgroupStats()));
        Assert.NotEqual("killed by the memory limit", ExitReasons.OfDetached(null));
        Assert.False(string.IsNullOrEmpty(ExitReasons.OfDetached(null)));
    }
}
