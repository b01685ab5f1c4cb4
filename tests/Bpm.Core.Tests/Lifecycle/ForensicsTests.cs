using Bpm.Runc;
using Bpm.Status;
using Xunit;

namespace Bpm.Tests.Lifecycle;

// How a detached process's end is recorded around its waiter: what start, stop and `bpm exited`
// write, and in which order against runc.
public class ForensicsTests
{
    private static readonly ProcessEnd Crash = new() { ExitCode = 7, ExitedAt = DateTimeOffset.UnixEpoch };

    [Fact]
    public void AStartCountsItselfAndNamesItsWaiterBeforeRuncRuns()
    {
        using var w = new World().Job();
        w.Records.History = ExitHistory.Empty.Started().Ended(Crash);
        w.Records.Stopping = true;
        ExitHistory? seenByRunc = null;
        int? waiterSeenByRunc = null;
        w.Runc.DuringRunDetached = () => (seenByRunc, waiterSeenByRunc) = (w.Records.History, w.Records.Waiter);
        w.Lifecycle.Start("web", null);

        // A process that ends at once ends as this start's: its history already says so.
        Assert.NotNull(seenByRunc);
        Assert.Null(seenByRunc.End);
        Assert.Equal(Crash, seenByRunc.LastExit);
        Assert.Equal(1, seenByRunc.Restarts);
        Assert.Equal(FakeRunc.DefaultWaiter, waiterSeenByRunc);
        Assert.False(w.Records.Stopping);
        Assert.True(w.Runc.WaiterDisposed);
    }

    [Fact]
    public void AFailedRuncLeavesTheHistoryAsItWasAndNoWaiter()
    {
        using var w = new World().Job();
        var before = ExitHistory.Empty.Started().Ended(Crash);
        w.Records.History = before;
        w.Runc.RunDetachedExit = 1;
        Assert.Throws<BpmException>(() => w.Lifecycle.Start("web", null));
        Assert.Equal(before, w.Records.History);
        Assert.Null(w.Records.Waiter);
        Assert.True(w.Runc.WaiterDisposed);
    }

    [Fact]
    public void AStartWithoutAWaiterSaysItsEndWillNotBeRecorded()
    {
        using var w = new World().Job();
        w.Runc.WaiterPid = null;
        w.Lifecycle.Start("web", null);
        Assert.Contains("no-waiter", w.Logs.Events);
        Assert.Null(w.Records.Waiter);
    }

    [Fact]
    public void AStopMarksItselfAndLetsTheWaiterRecordBeforeTheDelete()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Running(31));
        w.Records.History = ExitHistory.Empty.Started().Started();
        w.Records.SetWaiter(w.P, 555);
        bool stoppingWhenSignalled = false;
        w.Runc.DuringKill = () => stoppingWhenSignalled = w.Records.Stopping;
        w.Lifecycle.Stop("web", null);

        Assert.True(stoppingWhenSignalled);
        w.Journal.InOrder($"runc.kill {w.Id} TERM", "watch.wait 15s", "host.watch 555", "watch.wait 5s", $"runc.delete {w.Id}");
        Assert.Equal(0, w.Records.History.Starts);
    }

    [Fact]
    public void AStopThatKillsLetsTheWaiterRecordAfterTheDelete()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Running(31));
        w.Records.SetWaiter(w.P, 555);
        w.Host.Exits.Enqueue(false);
        w.Host.Exits.Enqueue(false);
        w.Lifecycle.Stop("web", null);
        w.Journal.InOrder("log.info forcefully-deleting", $"runc.delete {w.Id}", "host.watch 555", "watch.wait 5s");
    }

    [Fact]
    public void AnExitedContainerIsDeletedOnlyOnceItsWaiterIsDone()
    {
        using var w = new World().Job();
        w.Runc.Set(w.In(ContainerStatus.Exited));
        w.Records.SetWaiter(w.P, 555);
        w.Lifecycle.Start("web", null);
        w.Journal.InOrder("log.info deleting-stale-container", "host.watch 555", "watch.wait 5s", $"runc.delete {w.Id}", w.Detached);
    }

    [Fact]
    public void ExitedRecordsTheEndAndLogsIt()
    {
        using var w = new World().Job();
        w.Runc.Set(w.In(ContainerStatus.Exited));
        w.Records.History = ExitHistory.Empty.Started();
        w.Records.SetWaiter(w.P, 555);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_123);
        w.Lifecycle.Exited("web", null, 7 << 8, at, 555);

        Assert.Equal(7, w.Records.History.End?.ExitCode);
        Assert.Equal(at, w.Records.History.End?.ExitedAt);
        Assert.False(w.Records.History.End?.StoppedByBpm);
        Assert.Null(w.Records.Waiter);
        var entry = w.Log("");
        Assert.Equal("exited", entry.Command);
        Assert.Equal("7", entry.Data["exit_code"]);
        Assert.False(entry.Data.ContainsKey("exit_signal"));
        Assert.Equal("false", entry.Data["stopped_by_bpm"]);
        w.Journal.NeverStarting("host.lock", "runc.delete");
    }

    [Fact]
    public void ALateWaiterLeavesTheRunningContainersRecordsAlone()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Running(31));
        w.Records.History = ExitHistory.Empty.Started().Started();
        w.Records.SetWaiter(w.P, 556);
        w.Lifecycle.Exited("web", null, 7 << 8, DateTimeOffset.UnixEpoch, 555);

        Assert.Null(w.Records.History.End);
        Assert.Equal(7, w.Records.History.LastExit?.ExitCode);
        Assert.Equal(556, w.Records.Waiter);
        Assert.Equal("true", w.Log("").Data["late"]);
        w.Journal.NeverStarting("runc.state", "host.readCgroup");
    }

    [Fact]
    public void ExitedDuringAStopIsTheStops()
    {
        using var w = new World().Job();
        w.Records.Stopping = true;
        w.Host.Stats = new CgroupStats { OomKills = 1 };
        w.Lifecycle.Exited("web", null, 143 << 8, DateTimeOffset.UnixEpoch, 555);
        Assert.Equal("TERM", w.Records.History.End?.ExitSignal);
        Assert.True(w.Records.History.End?.StoppedByBpm);
        Assert.True(w.Records.History.End?.OomKilled);
        Assert.Equal("TERM", w.Log("").Data["exit_signal"]);
    }

    [Fact]
    public void StatusShowsTheEndOnlyWhenNothingRuns()
    {
        using var w = new World().Job();
        w.Runc.Set(w.In(ContainerStatus.Exited));
        w.Records.History = ExitHistory.Empty.Started().Ended(Crash).Started().Ended(Crash with { ExitCode = 3 });
        var failed = w.Lifecycle.Status("web", null);
        Assert.Equal(3, failed.ExitCode);
        Assert.Equal(7, failed.LastExit?.ExitCode);
        Assert.Equal(1, failed.Restarts);
        Assert.Equal("exited on its own: exit code 3", failed.ExitReason);

        w.Runc.Set(w.Running(31));
        w.Records.History = w.Records.History.Started();
        var running = w.Lifecycle.Status("web", null);
        Assert.Null(running.ExitCode);
        Assert.Null(running.ExitedAt);
        Assert.Equal(3, running.LastExit?.ExitCode);
        Assert.Equal(2, running.Restarts);
    }
}
