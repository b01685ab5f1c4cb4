using Bpm.IntegrationTests.BeyondTests;
using Bpm.IntegrationTests.Hardening;

namespace Bpm.IntegrationTests.Forensics;

/// <summary>
/// The waiter itself: what it costs while the job runs, what is left when it is killed or runc
/// fails, which bpm it hands the end to after an upgrade, and a waiter that comes too late.
/// </summary>
public sealed class WaiterLifeTests
{
    private static Dictionary<string, string> Env(BoshRoot root) => new() { ["BPM_BOSH_ROOT"] = root.Root };

    [Fact]
    public void TheWaiterKeepsLessThanTwoMiBResidentWhileTheJobRuns()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteSleepJob("lean");
        root.StartRunning("lean");
        var waiter = Fx.RunningWaiter(root, "lean");
        // Once start has its reply, the only wait left is the one on the container's init, which
        // the waiter enters after handing back its code pages.
        BoshRoot.WaitFor(() => Fx.WaitsForAnyChild(waiter.Pid), TimeSpan.FromSeconds(10),
            $"waiter {waiter} to sleep in wait(2)");

        var rss = Fx.RssKiB(waiter.Pid);
        Assert.True(rss < 2048, $"the waiter keeps {rss} KiB resident, want under 2 MiB");
        Assert.True(waiter.Alive);
    }

    [Fact]
    public void TheWaiterHoldsNoJobLockAndLeadsASessionOfItsOwn()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteSleepJob("apart");
        root.StartRunning("apart");
        var waiter = Fx.RunningWaiter(root, "apart");
        // Start has its reply before the waiter closes the socket: what it keeps shows once it waits.
        BoshRoot.WaitFor(() => Fx.WaitsForAnyChild(waiter.Pid), TimeSpan.FromSeconds(10), $"waiter {waiter} to sleep in wait(2)");

        Assert.Equal(0, Hx.LockHolders(root));
        var stat = File.ReadAllText($"/proc/{waiter.Pid}/stat");
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal(waiter.Pid.ToString(), f[3]); // session
        Assert.Equal(waiter.Pid.ToString(), f[2]); // process group
        // Its descriptors 0-2 are /dev/null: nothing of bpm start's caller (monit's pipes) is kept.
        foreach (var fd in new[] { 0, 1, 2 })
        {
            Assert.Equal("/dev/null", new FileInfo($"/proc/{waiter.Pid}/fd/{fd}").LinkTarget);
        }
        Assert.False(File.Exists($"/proc/{waiter.Pid}/fd/3"), "the waiter keeps its socket (or more) open while it waits");
    }

    [Fact]
    public void AKilledWaiterLeavesTheJobRunningItsEndUnknownAndStopClean()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteShellJob("orphan", Fx.UntilTriggered("orphan", "exit 7"));
        var tini = root.StartRunning("orphan");
        var waiter = Fx.RunningWaiter(root, "orphan");

        Assert.Equal(0, BoshRoot.Run("kill", "-9", waiter.Pid.ToString()).ExitCode);
        BoshRoot.WaitFor(() => !waiter.Alive, TimeSpan.FromSeconds(5), $"waiter {waiter} to die");
        Assert.True(ProcessTree.Alive(tini), $"the job's init {tini} went with its waiter");
        Assert.Equal("running", root.RuncStatus("bpm-orphan"));
        var running = Fx.Status(root, "orphan");
        Assert.Equal("running", Fx.Str(running, "state"));
        Assert.Equal(tini, running.GetProperty("pid").GetInt32());

        Fx.Trigger(root, "orphan");
        Beyond.WaitForRunc(root, "orphan", "stopped");
        var s = Fx.Status(root, "orphan");
        Assert.Equal("failed", Fx.Str(s, "state"));
        Fx.AssertNoEnd(s);
        Assert.Equal(Fx.UnknownEnd, Fx.Str(s, "exit_reason"));
        Assert.Null(Fx.RecordedEnd(root, "orphan"));
        Assert.Empty(Fx.ExitedEntries(root, "orphan"));
        Assert.True(Fx.IsNull(Fx.ListEntry(root, "orphan"), "exit_code"));
        var human = root.Bpm("status", "orphan", "-n", "0");
        Assert.Matches($@"(?m)^exit reason: +{System.Text.RegularExpressions.Regex.Escape(Fx.UnknownEnd)}$", human.Stdout);
        Assert.DoesNotMatch(@"(?m)^exit:", human.Stdout);

        var stop = root.Bpm("stop", "orphan");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        // The dead waiter is known to be dead (its start time): stop does not wait for it.
        Assert.DoesNotContain("bpm.stop.waiter-did-not-finish", Beyond.LogMessages(root, "orphan"));
        var left = Hx.Count(root, ["bpm-orphan"]);
        Assert.True(left.None, "after stop: " + left);
        Assert.False(File.Exists(Fx.WaiterFile(root, "orphan")), "PROC.waiter left after stop");
        Assert.False(File.Exists(Fx.StoppingFile(root, "orphan")), "PROC.stopping left after stop");
        Assert.Empty(Fx.ProcessesOf(root));
    }

    [Fact]
    public void AWaiterKilledBeforeAStopLeavesTheStopItsOwnReason()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteSleepJob("blind");
        root.StartRunning("blind");
        var waiter = Fx.RunningWaiter(root, "blind");
        Assert.Equal(0, BoshRoot.Run("kill", "-9", waiter.Pid.ToString()).ExitCode);
        BoshRoot.WaitFor(() => !waiter.Alive, TimeSpan.FromSeconds(5), $"waiter {waiter} to die");

        var stop = root.Bpm("stop", "blind");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        var s = Fx.Status(root, "blind");
        Assert.Equal("stopped", Fx.Str(s, "state"));
        Fx.AssertNoEnd(s);
        Assert.Equal("stopped by bpm: exited after TERM", System.Text.RegularExpressions.Regex.Replace(Fx.Str(s, "exit_reason")!, @" \(at \S+\)$", ""));
        Assert.Empty(Fx.ExitedEntries(root, "blind"));
        Assert.True(Hx.Count(root, ["bpm-blind"]).None, Hx.Count(root, ["bpm-blind"]).ToString());
        Assert.False(File.Exists(Fx.WaiterFile(root, "blind")), "PROC.waiter left after stop");
        Assert.Empty(Fx.ProcessesOf(root));
    }

    [Fact]
    public async Task TheEndGoesToTheBpmAtThePathStartWasCalledBy()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        // Where BOSH puts bpm: its package's bin, which an upgrade replaces.
        var bin = root.P("packages", "bpm", "bin");
        var bpm = Path.Combine(bin, "bpm");
        File.Copy(BoshRoot.BpmBin, bpm);
        File.Copy(Path.Combine(Path.GetDirectoryName(BoshRoot.BpmBin)!, "bpm-waiter"), Path.Combine(bin, "bpm-waiter"));
        File.SetUnixFileMode(bpm, BoshRoot.Mode755);
        File.SetUnixFileMode(Path.Combine(bin, "bpm-waiter"), BoshRoot.Mode755);

        root.WriteShellJob("upgraded", Fx.UntilTriggered("upgraded", "exit 7"));
        var start = await BoshRoot.Exec(bpm, ["start", "upgraded"], Env(root), BoshRoot.CommandTimeout);
        Assert.True(start.ExitCode == 0, start.ToString());
        Beyond.WaitForRunc(root, "upgraded", "running");
        Fx.RunningWaiter(root, "upgraded", bpm: bpm);

        // The new bpm, put in place the way an upgrade does: a new file renamed over the old.
        var calls = root.P("new-bpm-calls");
        var next = bpm + ".new";
        Hx.WriteExecutable(next, $"""
            #!/bin/sh
            printf '%s\n' "$*" >> {calls}
            exec {BoshRoot.BpmBin} "$@"
            """);
        File.Move(next, bpm, overwrite: true);

        Fx.Trigger(root, "upgraded");
        var recorded = Fx.WaitForEnd(root, "upgraded");
        Assert.Equal(7, recorded.GetProperty("exit_code").GetInt32());
        Assert.True(File.Exists(calls), "the bpm now at the called path did not run");
        var call = Assert.Single(File.ReadAllLines(calls));
        Assert.Matches(@"^exited --status 1792 --at \d+ --process upgraded upgraded$", call);
        Assert.Equal("7", Fx.Str(Fx.OneExitedEntry(root, "upgraded"), "exit_code"));
        BoshRoot.WaitFor(() => !File.Exists(Fx.WaiterFile(root, "upgraded")), TimeSpan.FromSeconds(5), "PROC.waiter to go");
    }

    [Fact]
    public void AStartWhoseRuncFailsLeavesNoWaiter()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteSleepJob("broken");
        // runc refuses to start a container whose init (tini) it cannot execute.
        File.SetUnixFileMode(root.P("packages", "bpm", "bin", "tini"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var start = root.Bpm("start", "broken");
        Assert.True(start.ExitCode == 1, start.ToString());
        Assert.Contains("runc run exited with status", start.Stderr);
        Assert.Contains("permission denied", Beyond.ReadLog(root.StderrLog("broken")));

        Assert.False(File.Exists(Fx.WaiterFile(root, "broken")), "PROC.waiter left by a failed start");
        // The waiter replies before it exits; it is gone moments after start returns.
        BoshRoot.WaitFor(() => Fx.ProcessesOf(root).Count == 0, TimeSpan.FromSeconds(5),
            "no waiter (nor any bpm) of this root: " + Fx.Describe(Fx.ProcessesOf(root)));
        Assert.Empty(root.RuncList());
        Assert.False(File.Exists(root.PidFile("broken")), "pidfile left by a failed start");
        var s = Fx.Status(root, "broken");
        Assert.Equal(0, s.GetProperty("restarts").GetInt32());
        Fx.AssertNoEnd(s);
        Assert.Equal(0, Fx.History(root, "broken") is { } h ? h.GetProperty("starts").GetInt32() : 0);
    }

    [Fact]
    public void AWaiterTooLateForTheNextStartDoesNotTakeOverItsRecords()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteShellJob("late", Fx.UntilTriggered("late", "exit 7"));
        var firstInit = root.StartRunning("late");
        var first = Fx.RunningWaiter(root, "late");

        // A waiter that cannot run when its container ends (stopped here; on a loaded host, slow).
        Assert.Equal(0, BoshRoot.Run("kill", "-STOP", first.Pid.ToString()).ExitCode);
        Fx.Proc second;
        try
        {
            Fx.Trigger(root, "late");
            Beyond.WaitForRunc(root, "late", "stopped");
            File.Delete(Fx.TriggerPath(root, "late"));
            // Start gives it its grace, then goes on without it.
            var secondInit = root.StartRunning("late");
            Assert.NotEqual(firstInit, secondInit);
            Assert.Contains("bpm.start.waiter-did-not-finish", Beyond.LogMessages(root, "late"));
            second = Fx.RunningWaiter(root, "late");
        }
        finally
        {
            BoshRoot.Run("kill", "-CONT", first.Pid.ToString());
        }
        BoshRoot.WaitFor(() => !first.Alive, TimeSpan.FromSeconds(10), $"the late waiter {first} to finish");

        // The second container's waiter is still the one on record, so that a stop waits for it,
        // and the running container has no end yet: the late one was the first container's.
        var onRecord = Fx.Waiter(root, "late");
        var end = Fx.RecordedEnd(root, "late");
        Assert.True(onRecord == second && end is null,
            $"after the first container's late waiter: PROC.waiter names {onRecord?.ToString() ?? "nothing"} (want {second}), " +
            $"PROC.ends has end {end?.ToString() ?? "null"} (want null while the second container runs)");
        var running = Fx.Status(root, "late");
        Assert.Equal("running", Fx.Str(running, "state"));
        Assert.Equal(1, running.GetProperty("restarts").GetInt32());

        var stop = root.Bpm("stop", "late");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        var s = Fx.Status(root, "late");
        Assert.Equal("TERM", Fx.Str(s, "exit_signal"));
        Assert.True(s.GetProperty("stopped_by_bpm").GetBoolean(), s.ToString());
        Assert.False(second.Alive, $"the second waiter {second} outlived stop");
    }
}
