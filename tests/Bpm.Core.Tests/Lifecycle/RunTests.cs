using Bpm.Config;
using Bpm.Runc;
using Bpm.Status;
using Xunit;

namespace Bpm.Tests.Lifecycle;

public class RunTests
{
    private static int Run(World w, string[]? volumes = null, string[]? env = null, string? process = null) =>
        w.Lifecycle.Run("web", process, volumes ?? [], env ?? []);

    private static string Attached(World w, bool keep) => $"runc.runAttached {w.Id} {w.P.BundleDir} keep={keep}";

    [Fact]
    public void AForegroundRunIsLaunchedUnderTheLockAndWaitedForOutsideIt()
    {
        using var w = new World().Job();
        w.Runc.AttachedExit = 0;
        Assert.Equal(0, Run(w));

        w.Journal.InOrder("configs.load web", "configs.check web", "host.vcap", "logs.for run web", "host.lock web",
            "log.open required=True create=True", "log.info starting", $"runc.state {w.Id}", "host.prepare web", "host.openLogs web",
            "bundles.write web", Attached(w, false), $"runc.waitUntilStarted {w.Id} {FakeRunc.RuncPid}", "attached.wait",
            "host.lock web", $"runc.state {w.Id}", "bundles.exists web", "host.readCgroup /cg/now", $"runc.delete {w.Id}",
            "host.clearPins web", "records.forgetOomKills", "records.writeExit exit status 0", "bundles.remove web",
            $"records.removePidFile if {FakeRunc.ContainerPid}", "log.info complete");
        Assert.True(w.Journal.WasLocked(Attached(w, false)));
        Assert.True(w.Journal.WasLocked($"runc.waitUntilStarted {w.Id} {FakeRunc.RuncPid}"));
        Assert.False(w.Journal.WasLocked("attached.wait"));
        Assert.True(w.Journal.WasLocked($"runc.delete {w.Id}"));
        Assert.True(w.Runc.LogsOpenDuringWait);
        Assert.Equal("0", w.Log("complete").Data["exit_status"]);
        Assert.False(w.Bundles.Holds(w.P));
        // The container was made at the clock's now; the clean-up reads its cgroup from then.
        Assert.Equal(w.Clock.Now, w.Host.Sinces.Last());
    }

    [Fact]
    public void TheProcesssExitStatusIsReturnedAndRecorded()
    {
        using var w = new World().Job();
        w.Runc.AttachedExit = 3;
        Assert.Equal(3, Run(w));
        Assert.Equal("exit status 3", w.Records.ExitReason);
        Assert.Equal("3", w.Log("complete").Data["exit_status"]);
    }

    [Fact]
    public void AStatusAbove128IsASignal()
    {
        using var w = new World().Job();
        w.Runc.AttachedExit = 143;
        Assert.Equal(143, Run(w));
        Assert.Equal("killed by signal 15", w.Records.ExitReason);
    }

    [Fact]
    public void WithAMemoryLimitTheExitedContainerIsKeptForItsCount()
    {
        using var w = new World().Job(edit: c => c with { Limits = new Limits { Memory = 64 << 20 } });
        w.Runc.AttachedExit = 137;
        w.Host.Stats = new CgroupStats { OomKills = 1, MemoryLimitBytes = 64 << 20 };
        Assert.Equal(137, Run(w));

        Assert.True(w.Journal.Saw(Attached(w, true)));
        Assert.Equal(ExitReasons.Oom, w.Records.ExitReason);
        Assert.Equal("67108864", w.Log("oom-killed").Data["memory_limit_bytes"]);
        w.Journal.InOrder("log.error oom-killed", $"runc.delete {w.Id}", "records.writeExit killed by the memory limit");
        Assert.Equal(ContainerStatus.Absent, w.Runc.Table(w.Id).Status);
    }

    [Fact]
    public void MemoryKillsWithAnOrdinaryExitStatusAreNotTheReason()
    {
        using var w = new World().Job(edit: c => c with { Limits = new Limits { Memory = 1 << 20 } });
        w.Runc.AttachedExit = 1;
        w.Host.Stats = new CgroupStats { OomKills = 1 };
        Run(w);
        Assert.Equal("exit status 1", w.Records.ExitReason);
    }

    [Fact]
    public void ASignalWithoutMemoryKillsIsTheSignal()
    {
        using var w = new World().Job(edit: c => c with { Limits = new Limits { Memory = 1 << 20 } });
        w.Runc.AttachedExit = 137;
        w.Host.Stats = new CgroupStats { OomKills = 0 };
        Run(w);
        Assert.Equal("killed by signal 9", w.Records.ExitReason);
    }

    [Fact]
    public void TheCleanUpReadsTheCgroupWhereTheContainerGoesNow()
    {
        using var w = new World().Job();
        w.Bundles.WrittenPath = "/cg/old";
        w.Host.StatsAt["/cg/now"] = new CgroupStats { OomKills = 1 };
        w.Runc.AttachedExit = 137;
        Run(w);
        Assert.Equal(ExitReasons.Oom, w.Records.ExitReason);
    }

    [Fact]
    public void OverridesAreAppliedBeforeTheCheckAndReachTheBundle()
    {
        using var w = new World().Job(edit: c => c with { Env = [new("A", "1"), new("B", "2")] });
        Run(w, volumes: ["/var/vcap/data/extra:writable"], env: ["A=9"]);

        var checkedConfig = w.Configs.LastChecked!;
        Assert.Equal("/var/vcap/data/extra", checkedConfig.AdditionalVolumes.Single().Path);
        Assert.True(checkedConfig.AdditionalVolumes.Single().Writable);
        Assert.Equal(["B=2", "A=9"], checkedConfig.Env.Select(kv => kv.Key + "=" + kv.Value));
        Assert.Equal(checkedConfig, w.Bundles.LastWritten);
    }

    [Fact]
    public void TheFirstProblemOfTheCheckIsTheError()
    {
        using var w = new World().Job();
        w.Configs.Problems.AddRange(["volume /etc: not allowed", "second"]);
        var e = Assert.Throws<BpmException>(() => Run(w, volumes: ["/etc"]));
        Assert.Equal("volume /etc: not allowed", e.Message);
        w.Journal.NeverStarting("host.", "logs.for", "runc.");
    }

    [Theory]
    [InlineData(new[] { "/a:bogus" }, new string[0], "invalid volume option: bogus")]
    [InlineData(new string[0], new[] { "=x" }, "invalid envionment variable definition (format should be KEY=value): \"=x\"")]
    public void ABadOverrideIsRefusedBeforeAnything(string[] volumes, string[] env, string message)
    {
        using var w = new World().Job();
        var e = Assert.Throws<BpmException>(() => Run(w, volumes, env));
        Assert.Equal(message, e.Message);
        w.Journal.NeverStarting("configs.check", "host.", "runc.");
    }

    [Fact]
    public void ABrokenConfigIsWrapped()
    {
        using var w = new World();
        w.Configs.Broken["web"] = "oops";
        var e = Assert.Throws<BpmException>(() => Run(w));
        Assert.Equal("failed to parse job configuration: /jobs/web/config/bpm.yml:3:7: oops", e.Message);
    }

    [Fact]
    public void AlreadyRunningReturnsZeroWithoutLaunching()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Running(31));
        Assert.Equal(0, Run(w));

        Assert.Equal(["starting", "process-already-running"], w.Logs.Events);
        Assert.Equal(31, w.Records.PidFile);
        w.Journal.NeverStarting("runc.runAttached", "attached.wait", "runc.delete", "host.prepare");
        Assert.Equal(1, w.Journal.Count("host.lock web"));
    }

    [Fact]
    public void AStopThatClearedUpMeanwhileLeavesNothingToDelete()
    {
        using var w = new World().Job();
        w.Runc.DuringWait = () => w.Bundles.Drop(w.P);
        w.Runc.AttachedExit = 143;
        Assert.Equal(143, Run(w));

        w.Journal.NeverStarting("runc.delete", "records.writeExit", "bundles.remove", "records.removePidFile", "host.readCgroup");
        Assert.Equal("143", w.Log("complete").Data["exit_status"]);
    }

    [Fact]
    public void AContainerAStartMadeMeanwhileIsNotOursToRemove()
    {
        using var w = new World().Job();
        var theirs = new ContainerState(w.Id, ContainerStatus.Running, 999, w.Clock.Now.AddSeconds(30));
        w.Runc.DuringWait = () => w.Runc.Set(theirs);
        w.Records.PidFile = 999;
        Run(w);

        Assert.True(w.Journal.Saw("log.info container-replaced"));
        w.Journal.NeverStarting("runc.delete", "records.writeExit", "bundles.remove", "records.removePidFile");
        Assert.Equal(theirs, w.Runc.Table(w.Id));
        Assert.Equal(999, w.Records.PidFile);
        Assert.True(w.Bundles.Holds(w.P));
    }

    [Fact]
    public void OurOwnExitedContainerIsDeleted()
    {
        using var w = new World().Job(edit: c => c with { Limits = new Limits { Memory = 1 << 20 } });
        Run(w);
        w.Journal.NeverStarting("log.info container-replaced");
        Assert.True(w.Journal.Saw($"runc.delete {w.Id}"));
    }

    [Fact]
    public void AnUnreadableStateAfterTheRunStillHasTheBundleCleared()
    {
        using var w = new World().Job();
        w.Runc.DuringWait = () => w.Runc.States.Enqueue(w.Unknown());
        Run(w);
        w.Journal.NeverStarting("log.info container-replaced");
        w.Journal.InOrder("attached.wait", $"runc.delete {w.Id}", "bundles.remove web");
    }

    [Fact]
    public void ThePidFileGoesOnlyWhenItNamesThisRun()
    {
        using var w = new World().Job();
        w.Records.PidFile = 12345;
        Run(w);
        Assert.True(w.Journal.Saw($"records.removePidFile if {FakeRunc.ContainerPid}"));
        Assert.Equal(12345, w.Records.PidFile);

        using var mine = new World().Job();
        mine.Records.PidFile = FakeRunc.ContainerPid;
        Run(mine);
        Assert.Null(mine.Records.PidFile);
    }

    [Fact]
    public void WhenRuncMadeNoContainerThereIsNoPidAndNoCreationTime()
    {
        using var w = new World().Job();
        w.Runc.Started = ContainerState.AbsentFor(w.Id);
        w.Runc.AttachedExit = 1;
        Assert.Equal(1, Run(w));

        Assert.Null(w.Host.Sinces.Last());
        w.Journal.NeverStarting("records.removePidFile", "log.info container-replaced");
        Assert.True(w.Journal.Saw($"runc.delete {w.Id}"));
        Assert.Equal("exit status 1", w.Records.ExitReason);
    }

    [Fact]
    public void RuncFailingToStartClosesTheLogFilesAndClearsThePinsAndTheBundle()
    {
        using var w = new World().Job();
        w.Journal.Throw("runc.runAttached", new BpmException("runc: exec format error"));
        var e = Assert.Throws<BpmException>(() => Run(w));

        Assert.Equal("runc: exec format error", w.Log("failed").Error);
        Assert.Empty(w.Host.Leaks());
        w.Journal.InOrder(Attached(w, false), "host.clearPins web", "bundles.remove web", "log.error failed");
        w.Journal.NeverStarting("runc.waitUntilStarted", "attached.wait", "runc.delete");
        Assert.False(w.Host.LockHeld);
    }

    [Fact]
    public void AFailedHookInARunClosesTheLogFilesAndLeavesNoBundle()
    {
        using var w = new World().Job(edit: c => c with { PreStart = "/bin/pre" });
        w.Journal.Throw("host.runHook", new BpmException("hook timed out"));
        Assert.Throws<BpmException>(() => Run(w));

        Assert.Empty(w.Host.Leaks());
        w.Journal.InOrder("log.error pre-start-hook-failed", "bundles.remove web", "host.clearPins web", "log.error failed");
        w.Journal.NeverStarting("runc.runAttached");
    }

    [Fact]
    public void ALogThatCannotBeOpenedFailsTheRun()
    {
        using var w = new World().Job();
        w.Logs.Opens = false;
        Assert.Throws<BpmException>(() => Run(w));
        w.Journal.NeverStarting("runc.");
        Assert.False(w.Host.LockHeld);
    }

    [Fact]
    public void WithoutTheVcapUserNothingRuns()
    {
        using var w = new World().Job();
        w.Journal.Throw("host.vcap", new BpmException("user vcap not found"));
        Assert.Throws<BpmException>(() => Run(w));
        w.Journal.NeverStarting("host.lock", "runc.");
    }

    [Fact]
    public void ADefectDuringTheCleanUpIsLoggedWithItsStackTrace()
    {
        using var w = new World().Job();
        w.Journal.Throw("bundles.exists", new ArgumentException("bad"));
        Assert.Throws<ArgumentException>(() => Run(w));
        Assert.Contains("ArgumentException", w.Log("failed").Data["stack_trace"]);
        Assert.False(w.Host.LockHeld);
    }
}
