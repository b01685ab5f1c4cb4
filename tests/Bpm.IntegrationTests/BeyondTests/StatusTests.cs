using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bpm.IntegrationTests.BeyondTests;

/// <summary>Helpers shared by the tests of the features beyond the original (issue 4).</summary>
internal static class Beyond
{
    public const string OomReason = "killed by the memory limit";

    public static readonly string[] StatusKeys =
    [
        "job", "process", "container_id", "state", "pid", "started_at", "uptime_seconds", "memory_bytes",
        "memory_peak_bytes", "memory_limit_bytes", "pids", "pids_limit", "cpu_seconds", "oom_kills", "exit_reason",
        "exit_code", "exit_signal", "exited_at", "oom_killed", "stopped_by_bpm", "last_exit", "restarts",
    ];

    /// <summary>Parses stdout of a successful command as one JSON value.</summary>
    public static JsonElement Json(CommandResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(r.Stdout.EndsWith('\n') && r.Stdout.TrimEnd('\n').IndexOf('\n') < 0,
            "expected one line of JSON: " + r);
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.Clone();
    }

    /// <summary>`bpm status JOB [-p PROC] --json`, with every key checked to be present.</summary>
    public static JsonElement Status(BoshRoot root, string job, string? proc = null)
    {
        var args = new List<string> { "status", job };
        if (proc is not null)
        {
            args.AddRange(["-p", proc]);
        }
        args.Add("--json");
        var s = Json(root.Bpm([.. args]));
        Assert.Equal(JsonValueKind.Object, s.ValueKind);
        Assert.Equal(StatusKeys.Order(StringComparer.Ordinal), s.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        return s;
    }

    public static bool IsNull(JsonElement e, string key) => e.GetProperty(key).ValueKind == JsonValueKind.Null;

    /// <summary>The entries of JOB's bpm.log (each line must be JSON).</summary>
    public static List<JsonElement> LogEntries(BoshRoot root, string job)
    {
        var path = root.BpmLog(job);
        if (!File.Exists(path))
        {
            return [];
        }
        return File.ReadAllLines(path).Where(l => l.Length > 0).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return doc.RootElement.Clone();
        }).ToList();
    }

    public static List<string> LogMessages(BoshRoot root, string job) =>
        LogEntries(root, job).Select(e => e.GetProperty("message").GetString()!).ToList();

    public static string LogText(BoshRoot root, string job) =>
        File.Exists(root.BpmLog(job)) ? File.ReadAllText(root.BpmLog(job)) : "(no bpm.log)";

    public static void WaitForRunc(BoshRoot root, string job, string status, string? proc = null)
    {
        var id = BoshRoot.ContainerId(job, proc);
        BoshRoot.WaitFor(() => root.RuncStatus(id) == status, TimeSpan.FromSeconds(20), $"container {id} {status}");
    }

    public static string ReadLog(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}

/// <summary>`bpm status JOB [-p PROC] [--json]` against real containers.</summary>
public sealed class StatusTests
{
    private const long SixtyFourMiB = 64L * 1024 * 1024;

    [Fact]
    public void RunningProcessAsJson()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("web", "limits: {memory: 64M, processes: 50}");
        var before = DateTimeOffset.UtcNow;
        var pid = root.StartRunning("web");

        var s = Beyond.Status(root, "web");
        Assert.Equal("web", s.GetProperty("job").GetString());
        Assert.Equal("web", s.GetProperty("process").GetString());
        Assert.Equal("bpm-web", s.GetProperty("container_id").GetString());
        Assert.Equal("running", s.GetProperty("state").GetString());
        Assert.Equal(pid, s.GetProperty("pid").GetInt32());
        var started = s.GetProperty("started_at").GetDateTimeOffset();
        Assert.InRange(started, before.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.True(s.GetProperty("uptime_seconds").GetDouble() >= 0, s.ToString());
        var memory = s.GetProperty("memory_bytes").GetInt64();
        Assert.True(memory > 0, s.ToString());
        Assert.True(s.GetProperty("memory_peak_bytes").GetInt64() >= memory, s.ToString());
        Assert.Equal(SixtyFourMiB, s.GetProperty("memory_limit_bytes").GetInt64());
        Assert.InRange(s.GetProperty("pids").GetInt64(), 1, 50); // tini and sleep
        Assert.Equal(50, s.GetProperty("pids_limit").GetInt64());
        Assert.True(s.GetProperty("cpu_seconds").GetDouble() >= 0, s.ToString());
        Assert.Equal(0, s.GetProperty("oom_kills").GetInt64());
        Assert.True(Beyond.IsNull(s, "exit_reason"), s.ToString());
    }

    [Fact]
    public void RunningProcessHumanForm()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("web", "limits: {memory: 64M, processes: 50}");
        var pid = root.StartRunning("web");

        // The table alone: the log lines that follow it are StatusTailTests'.
        var r = root.Bpm("status", "web", "-n", "0");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr);
        var lines = r.Stdout.TrimEnd('\n').Split('\n');
        Assert.Matches(@"^job: +web$", lines[0]);
        Assert.Matches(@"^process: +web$", lines[1]);
        Assert.Matches(@"^container: +bpm-web$", lines[2]);
        Assert.Matches(@"^state: +running$", lines[3]);
        Assert.Contains(lines, l => Regex.IsMatch(l, $@"^pid: +{pid}$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^started: +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(up (\d+[dhm])*\d+s\)$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^memory: +.+ \(peak .+, limit 64\.0 MiB\)$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^pids: +\d+ \(limit 50\)$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^cpu: +\d+\.\d{3} s$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^oom kills: +0$"));
        Assert.DoesNotContain(lines, l => l.StartsWith("exit reason:", StringComparison.Ordinal));
        // one column of values
        var column = lines[0].Length - "web".Length;
        Assert.All(lines, l => Assert.True(l.Length > column && l[column - 1] == ' ' && l[column] != ' ', $"value not at column {column}: '{l}'"));
    }

    [Fact]
    public void LimitsAreReportedAsConfigured()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("big", "limits: {memory: 1G, processes: 1234}");
        root.StartRunning("big");

        var s = Beyond.Status(root, "big");
        Assert.Equal(1L << 30, s.GetProperty("memory_limit_bytes").GetInt64());
        Assert.Equal(1234, s.GetProperty("pids_limit").GetInt64());
    }

    [Fact]
    public void NoLimitsAreReportedAsNone()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("free");
        root.StartRunning("free");

        var s = Beyond.Status(root, "free");
        Assert.True(Beyond.IsNull(s, "memory_limit_bytes"), s.ToString());
        Assert.True(Beyond.IsNull(s, "pids_limit"), s.ToString());
        Assert.True(s.GetProperty("memory_bytes").GetInt64() > 0, s.ToString());

        var r = root.Bpm("status", "free");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"(?m)^memory: +.*limit none\)$", r.Stdout);
        Assert.Matches(@"(?m)^pids: +\d+ \(limit none\)$", r.Stdout);
    }

    [Fact]
    public void ProcessOptionSelectsTheProcess()
    {
        using var root = new BoshRoot();
        root.WriteJob("web", """
            processes:
            - name: web
              executable: /bin/sleep
              args: ["1000"]
              limits: {processes: 20}
            - name: worker
              executable: /bin/sleep
              args: ["1001"]
              limits: {processes: 30}
            """);
        var webPid = root.StartRunning("web");
        var workerPid = root.StartRunning("web", "worker");

        var worker = Beyond.Status(root, "web", "worker");
        Assert.Equal("web", worker.GetProperty("job").GetString());
        Assert.Equal("worker", worker.GetProperty("process").GetString());
        Assert.Equal("bpm-web.2eworker", worker.GetProperty("container_id").GetString());
        Assert.Equal(workerPid, worker.GetProperty("pid").GetInt32());
        Assert.Equal(30, worker.GetProperty("pids_limit").GetInt64());

        var web = Beyond.Status(root, "web");
        Assert.Equal("web", web.GetProperty("process").GetString());
        Assert.Equal(webPid, web.GetProperty("pid").GetInt32());
        Assert.Equal(20, web.GetProperty("pids_limit").GetInt64());

        var longForm = root.Bpm("status", "web", "--process", "worker");
        Assert.True(longForm.ExitCode == 0, longForm.ToString());
        Assert.Matches(@"(?m)^container: +bpm-web\.2eworker$", longForm.Stdout);
    }

    [Fact]
    public void NeverStartedProcessIsStopped()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("idle");

        var s = Beyond.Status(root, "idle");
        Assert.Equal("stopped", s.GetProperty("state").GetString());
        Assert.Equal("bpm-idle", s.GetProperty("container_id").GetString());
        foreach (var key in new[] { "pid", "uptime_seconds", "memory_bytes", "memory_limit_bytes", "pids", "cpu_seconds", "oom_kills" })
        {
            Assert.True(Beyond.IsNull(s, key), $"{key} should be null: {s}");
        }

        var r = root.Bpm("status", "idle");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Matches(@"^state: +stopped$", lines[3]);
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void StoppedProcessIsStopped()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("done");
        root.StartRunning("done");
        var stop = root.Bpm("stop", "done");
        Assert.True(stop.ExitCode == 0, stop.ToString());

        var s = Beyond.Status(root, "done");
        Assert.Equal("stopped", s.GetProperty("state").GetString());
        Assert.True(Beyond.IsNull(s, "pid"), s.ToString());
        Assert.True(Beyond.IsNull(s, "uptime_seconds"), s.ToString());
    }

    [Fact]
    public void FailedProcessHasAnExitReason()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("crash", "echo bye; exit 3", "limits: {memory: 64M}");
        Assert.Equal(0, root.Bpm("start", "crash").ExitCode);
        Beyond.WaitForRunc(root, "crash", "stopped");

        var s = Beyond.Status(root, "crash");
        Assert.Equal("failed", s.GetProperty("state").GetString());
        Assert.True(Beyond.IsNull(s, "pid"), s.ToString());
        Assert.True(Beyond.IsNull(s, "uptime_seconds"), s.ToString());
        Assert.False(Beyond.IsNull(s, "started_at"), s.ToString());
        Assert.Equal(0, s.GetProperty("oom_kills").GetInt64());
        var reason = s.GetProperty("exit_reason").GetString();
        Assert.False(string.IsNullOrWhiteSpace(reason), s.ToString());
        Assert.NotEqual(Beyond.OomReason, reason);

        var r = root.Bpm("status", "crash");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"(?m)^state: +failed$", r.Stdout);
        Assert.Matches(@"(?m)^exit reason: +\S", r.Stdout);
        Assert.DoesNotContain("pid:", r.Stdout);
        // status only looks: the failed container is still there for start to clean up
        Assert.Equal("stopped", root.RuncStatus("bpm-crash"));
    }

    // A detached process's exit status goes to the host's init, not to bpm (see Status/ExitReasons.cs);
    // what bpm does know is recorded: the signal bpm stopped it with, and a run's exit status.
    [Fact]
    public void StoppedProcessReportsHowBpmStoppedIt()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("done");
        root.StartRunning("done");
        Assert.Equal(0, root.Bpm("stop", "done").ExitCode);

        var reason = Beyond.Status(root, "done").GetProperty("exit_reason").GetString();
        Assert.StartsWith("stopped by bpm: exited after TERM (at ", reason);
    }

    [Fact]
    public void RunReportsItsExitStatus()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("crash", "exit 3");
        Assert.Equal(3, root.Bpm("run", "crash").ExitCode);

        var s = Beyond.Status(root, "crash");
        Assert.Equal("stopped", s.GetProperty("state").GetString());
        Assert.StartsWith("exit status 3 (at ", s.GetProperty("exit_reason").GetString());
    }

    [Fact]
    public void StatusWithoutAJobFails()
    {
        using var root = new BoshRoot();
        var r = root.Bpm("status");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("Error: must specify a job", r.Stderr);
    }

    [Fact]
    public void StatusOfAnUnknownProcessFails()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("web");
        var r = root.Bpm("status", "web", "-p", "nope", "--json");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("Error: process \"nope\" not present in job configuration", r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void StatusOfAJobWithoutConfigFails()
    {
        using var root = new BoshRoot();
        var r = root.Bpm("status", "ghost");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.StartsWith("Error: ", r.Stderr);
        Assert.Contains("bpm.yml", r.Stderr);
    }
}
