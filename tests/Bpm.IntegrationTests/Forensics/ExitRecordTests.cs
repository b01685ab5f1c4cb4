using System.Text.Json;
using System.Text.RegularExpressions;
using Bpm.IntegrationTests.BeyondTests;

namespace Bpm.IntegrationTests.Forensics;

/// <summary>
/// How a detached process ended, as its waiter records it once no bpm command is running:
/// status, list --json and bpm.log, after an exit, a kill from the host, a restart and a stop.
/// </summary>
public sealed class ExitRecordTests
{
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    [Fact]
    public void AnExitOfItsOwnIsRecordedWithItsCode()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteShellJob("crash", Fx.UntilTriggered("crash", "exit 7"));
        root.StartRunning("crash");
        var waiter = Fx.RunningWaiter(root, "crash");

        var before = DateTimeOffset.UtcNow;
        Fx.Trigger(root, "crash");
        var recorded = Fx.WaitForEnd(root, "crash");
        var after = DateTimeOffset.UtcNow;
        Assert.Equal(7, recorded.GetProperty("exit_code").GetInt32());

        var s = Fx.Status(root, "crash");
        Assert.Equal("failed", Fx.Str(s, "state"));
        Assert.Equal(7, s.GetProperty("exit_code").GetInt32());
        Assert.True(Fx.IsNull(s, "exit_signal"), s.ToString());
        Assert.InRange(s.GetProperty("exited_at").GetDateTimeOffset(), before - Slack, after + Slack);
        Assert.False(s.GetProperty("oom_killed").GetBoolean());
        Assert.False(s.GetProperty("stopped_by_bpm").GetBoolean());
        Assert.True(Fx.IsNull(s, "last_exit"), s.ToString());
        Assert.Equal(0, s.GetProperty("restarts").GetInt32());
        Assert.Equal("exited on its own: exit code 7", Fx.Str(s, "exit_reason"));

        var row = Fx.ListEntry(root, "crash");
        Assert.Equal("failed", Fx.Str(row, "status"));
        Assert.Equal(7, row.GetProperty("exit_code").GetInt32());
        Assert.True(Fx.IsNull(row, "exit_signal"), row.ToString());

        var data = Fx.OneExitedEntry(root, "crash");
        Assert.Equal(["job", "process", "session", "exit_code", "exited_at", "oom_killed", "stopped_by_bpm"], Fx.Keys(data));
        Assert.Equal("7", Fx.Str(data, "exit_code"));
        Assert.Equal("false", Fx.Str(data, "oom_killed"));
        Assert.Equal("false", Fx.Str(data, "stopped_by_bpm"));
        Assert.Equal(s.GetProperty("exited_at").GetDateTimeOffset(), DateTimeOffset.Parse(Fx.Str(data, "exited_at")!));

        // The waiter is done: its record and the process itself are gone.
        Assert.False(File.Exists(Fx.WaiterFile(root, "crash")), "PROC.waiter left after the end was recorded");
        BoshRoot.WaitFor(() => !waiter.Alive, TimeSpan.FromSeconds(5), $"waiter {waiter} to finish");

        var human = root.Bpm("status", "crash", "-n", "0");
        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Matches(@"(?m)^exit: +exit code 7 at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", human.Stdout);
        Assert.Matches(@"(?m)^exit reason: +exited on its own: exit code 7$", human.Stdout);
        Assert.DoesNotMatch(@"(?m)^(last exit|restarts):", human.Stdout);
    }

    [Fact]
    public void TheEndOfANamedProcessIsItsOwn()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteJob("pair", $"""
            processes:
            - name: pair
              executable: /bin/sleep
              args: ["1000"]
            - name: worker
              executable: /bin/sh
              args:
              - -c
              - |
            {Regex.Replace(Fx.UntilTriggered("pair", "exit 3"), "(?m)^", "    ")}
            """);
        root.StartRunning("pair");
        root.StartRunning("pair", "worker");

        Fx.Trigger(root, "pair");
        Assert.Equal(3, Fx.WaitForEnd(root, "pair", "worker").GetProperty("exit_code").GetInt32());

        var worker = Fx.Status(root, "pair", "worker");
        Assert.Equal("failed", Fx.Str(worker, "state"));
        Assert.Equal(3, worker.GetProperty("exit_code").GetInt32());
        var data = Fx.OneExitedEntry(root, "pair");
        Assert.Equal(("pair", "worker", "3"), (Fx.Str(data, "job"), Fx.Str(data, "process"), Fx.Str(data, "exit_code")));

        var other = Fx.Status(root, "pair");
        Assert.Equal("running", Fx.Str(other, "state"));
        Fx.AssertNoEnd(other);
        Assert.Null(Fx.RecordedEnd(root, "pair"));
        Assert.Equal(3, Fx.ListEntry(root, "pair.worker").GetProperty("exit_code").GetInt32());
        Assert.True(Fx.IsNull(Fx.ListEntry(root, "pair"), "exit_code"));
    }

    [Fact]
    public void AnExitBeforeStartReturnsIsRecordedToo()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteShellJob("brief", "exit 5");
        var start = root.Bpm("start", "brief");
        Assert.True(start.ExitCode == 0, start.ToString());

        Assert.Equal(5, Fx.WaitForEnd(root, "brief").GetProperty("exit_code").GetInt32());
        var s = Fx.Status(root, "brief");
        Assert.Equal("failed", Fx.Str(s, "state"));
        Assert.Equal(5, s.GetProperty("exit_code").GetInt32());
        Assert.Equal("5", Fx.Str(Fx.OneExitedEntry(root, "brief"), "exit_code"));
    }

    [Fact]
    public void AStartRightAfterTheEndKeepsItAsTheLastExit()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteShellJob("quick", Fx.UntilTriggered("quick", "exit 9"));
        root.StartRunning("quick");
        Fx.Trigger(root, "quick");
        // Not waiting for the record: the start itself must let the waiter finish first.
        Beyond.WaitForRunc(root, "quick", "stopped");
        File.Delete(Fx.TriggerPath(root, "quick"));
        root.StartRunning("quick");

        var s = Fx.Status(root, "quick");
        Assert.Equal("running", Fx.Str(s, "state"));
        Assert.True(s.GetProperty("last_exit").ValueKind == JsonValueKind.Object, "the end before this start was lost: " + s);
        Assert.Equal(9, s.GetProperty("last_exit").GetProperty("exit_code").GetInt32());
        Assert.Equal(1, s.GetProperty("restarts").GetInt32());
        Assert.Single(Fx.ExitedEntries(root, "quick"));
    }

    [Fact]
    public void TheEndsRecordHoldsEndLastExitAndStarts()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteShellJob("kept", "exit 4");
        Assert.Equal(0, root.Bpm("start", "kept").ExitCode);
        Fx.WaitForEnd(root, "kept");

        var history = Fx.History(root, "kept")!.Value;
        Assert.Equal(["end", "last_exit", "starts"], Fx.Keys(history));
        Assert.Equal(Fx.EndKeys, Fx.Keys(history.GetProperty("end")));
        Assert.Equal(1, history.GetProperty("starts").GetInt32());
        Assert.Equal("600", BoshRoot.Stat(Fx.EndsFile(root, "kept")).Mode);
    }

    public enum Victim { Tini, TinisChild }

    [Theory]
    [InlineData(Victim.Tini)]
    [InlineData(Victim.TinisChild)]
    public void AKillFromTheHostIsRecordedAsKill(Victim victim)
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteSleepJob("shot");
        var tini = root.StartRunning("shot");
        Fx.RunningWaiter(root, "shot");
        var target = tini;
        if (victim == Victim.TinisChild)
        {
            var children = ProcessTree.Children(tini);
            Assert.True(children.Count == 1, $"tini {tini} should have one child (sleep): {string.Join(",", children)}");
            target = children[0];
            Assert.Equal("sleep\n", File.ReadAllText($"/proc/{target}/comm"));
        }

        var before = DateTimeOffset.UtcNow;
        Assert.Equal(0, BoshRoot.Run("kill", "-9", target.ToString()).ExitCode);
        var recorded = Fx.WaitForEnd(root, "shot");
        Assert.Equal("KILL", Fx.Str(recorded, "exit_signal"));

        var s = Fx.Status(root, "shot");
        Assert.Equal("failed", Fx.Str(s, "state"));
        Assert.True(Fx.IsNull(s, "exit_code"), s.ToString());
        Assert.Equal("KILL", Fx.Str(s, "exit_signal"));
        Assert.InRange(s.GetProperty("exited_at").GetDateTimeOffset(), before - Slack, DateTimeOffset.UtcNow + Slack);
        Assert.False(s.GetProperty("stopped_by_bpm").GetBoolean());
        Assert.Equal("exited on its own: killed by KILL", Fx.Str(s, "exit_reason"));

        var row = Fx.ListEntry(root, "shot");
        Assert.True(Fx.IsNull(row, "exit_code"), row.ToString());
        Assert.Equal("KILL", Fx.Str(row, "exit_signal"));

        var data = Fx.OneExitedEntry(root, "shot");
        Assert.Equal("KILL", Fx.Str(data, "exit_signal"));
        Assert.False(data.TryGetProperty("exit_code", out _), "bpm.exited should leave out the unknown exit code: " + data);
    }

    [Fact]
    public void ARestartKeepsTheCrashAsTheLastExitAndAStopResetsTheCount()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteShellJob("flaky", Fx.UntilTriggered("flaky", "exit 7"));
        root.StartRunning("flaky");
        Fx.Trigger(root, "flaky");
        Fx.WaitForEnd(root, "flaky");
        File.Delete(Fx.TriggerPath(root, "flaky"));

        root.StartRunning("flaky");
        var s = Fx.Status(root, "flaky");
        Assert.Equal("running", Fx.Str(s, "state"));
        Fx.AssertNoEnd(s);
        Assert.True(Fx.IsNull(s, "exit_reason"), s.ToString());
        var last = s.GetProperty("last_exit");
        Assert.Equal(Fx.EndKeys, Fx.Keys(last));
        Assert.Equal(7, last.GetProperty("exit_code").GetInt32());
        Assert.True(Fx.IsNull(last, "exit_signal"), last.ToString());
        Assert.False(last.GetProperty("stopped_by_bpm").GetBoolean());
        Assert.Equal(1, s.GetProperty("restarts").GetInt32());

        var human = root.Bpm("status", "flaky", "-n", "0");
        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Matches(@"(?m)^last exit: +exit code 7 at \S+Z$", human.Stdout);
        Assert.Matches(@"(?m)^restarts: +1$", human.Stdout);
        Assert.DoesNotMatch(@"(?m)^exit:", human.Stdout);

        Assert.True(root.Bpm("stop", "flaky").ExitCode == 0);
        root.StartRunning("flaky");
        var again = Fx.Status(root, "flaky");
        Assert.Equal("running", Fx.Str(again, "state"));
        Assert.Equal(0, again.GetProperty("restarts").GetInt32());
        var stopped = again.GetProperty("last_exit");
        Assert.True(stopped.GetProperty("stopped_by_bpm").GetBoolean(), stopped.ToString());
        Assert.Equal("TERM", Fx.Str(stopped, "exit_signal"));
        Assert.DoesNotMatch(@"(?m)^restarts:", root.Bpm("status", "flaky", "-n", "0").Stdout);
    }

    [Theory]
    [InlineData("", "TERM")]
    [InlineData("shutdown_signal: INT", "INT")]
    public void AStopIsRecordedAsStoppedByBpmWithTheShutdownSignal(string extraYaml, string signal)
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteSleepJob("halt", extraYaml);
        root.StartRunning("halt");
        var waiter = Fx.RunningWaiter(root, "halt");

        var stop = root.Bpm("stop", "halt");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        // Recorded by the time stop returns: stop waits for the waiter.
        var recorded = Fx.RecordedEnd(root, "halt");
        Assert.True(recorded is not null, "no end recorded when bpm stop returned");
        Assert.Equal(signal, Fx.Str(recorded.Value, "exit_signal"));

        var s = Fx.Status(root, "halt");
        Assert.Equal("stopped", Fx.Str(s, "state"));
        Assert.True(Fx.IsNull(s, "exit_code"), s.ToString());
        Assert.Equal(signal, Fx.Str(s, "exit_signal"));
        Assert.True(s.GetProperty("stopped_by_bpm").GetBoolean(), s.ToString());
        Assert.False(s.GetProperty("oom_killed").GetBoolean());
        Assert.Equal(0, s.GetProperty("restarts").GetInt32());
        Assert.Equal(0, Fx.History(root, "halt")!.Value.GetProperty("starts").GetInt32());

        var data = Fx.OneExitedEntry(root, "halt");
        Assert.Equal(signal, Fx.Str(data, "exit_signal"));
        Assert.Equal("true", Fx.Str(data, "stopped_by_bpm"));
        var messages = Beyond.LogMessages(root, "halt");
        Assert.True(messages.IndexOf("bpm.exited") < messages.LastIndexOf("bpm.stop.complete"),
            "the end should be recorded before stop completes:\n" + Beyond.LogText(root, "halt"));
        Assert.DoesNotContain("bpm.stop.waiter-did-not-finish", messages);

        Assert.False(File.Exists(Fx.WaiterFile(root, "halt")), "PROC.waiter left after stop");
        Assert.False(File.Exists(Fx.StoppingFile(root, "halt")), "PROC.stopping left after stop");
        Assert.False(waiter.Alive, $"waiter {waiter} still alive after stop");
        Assert.Empty(Fx.ProcessesOf(root));

        var human = root.Bpm("status", "halt", "-n", "0");
        Assert.Matches($@"(?m)^exit: +killed by {signal}, stopped by bpm at \S+Z$", human.Stdout);
    }

    [Fact]
    public void AMemoryKillIsRecordedAsSuch()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteJob("hog", """
            processes:
            - name: hog
              executable: /usr/bin/python3
              args: ["-c", "bytearray(200*1024*1024)"]
              limits: {memory: 30M}
            """);
        Assert.Equal(0, root.Bpm("start", "hog").ExitCode);
        var recorded = Fx.WaitForEnd(root, "hog");
        Assert.True(recorded.GetProperty("oom_killed").GetBoolean(), recorded.ToString());
        Assert.Equal("KILL", Fx.Str(recorded, "exit_signal"));

        var s = Fx.Status(root, "hog");
        Assert.True(s.GetProperty("oom_killed").GetBoolean(), s.ToString());
        Assert.Equal(Beyond.OomReason, Fx.Str(s, "exit_reason"));
        Assert.Equal("true", Fx.Str(Fx.OneExitedEntry(root, "hog"), "oom_killed"));
        Assert.Matches(@"(?m)^exit: +killed by KILL, memory limit reached at \S+Z$", root.Bpm("status", "hog", "-n", "0").Stdout);
    }
}
