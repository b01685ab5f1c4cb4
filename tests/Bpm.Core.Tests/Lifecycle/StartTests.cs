using Bpm.Config;
using Bpm.Runc;
using Bpm.Status;
using Xunit;

namespace Bpm.Tests.Lifecycle;

public class StartTests
{
    [Fact]
    public void NothingThereIsLaunchedUnderTheLock()
    {
        using var w = new World().Job();
        w.Lifecycle.Start("web", null);

        var p = w.P;
        w.Journal.InOrder("configs.load web", "host.lock web", "host.vcap", "log.open required=True create=True", "log.info starting",
            $"runc.state {w.Id}", "host.prepare web", "host.openLogs web", "bundles.write web",
            w.Detached, "log.info complete");
        w.Journal.NeverStarting("host.runHook", "log.info running-pre-start-hook", "runc.delete", "log.error");
        Assert.True(w.Journal.WasLocked(w.Detached));
        Assert.True(w.Journal.WasLocked("bundles.write web"));
        Assert.Same(w.Host.Sources, w.Bundles.LastSources);
        Assert.Equal(ContainerStatus.Running, w.Runc.Table(w.Id).Status);
        Assert.Equal(["starting", "complete"], w.Logs.Events);
    }

    [Fact]
    public void RuncIsHandedTheHeldJobLock()
    {
        using var w = new World().Job();
        w.Lifecycle.Start("web", null);
        Assert.NotNull(w.Runc.HeldByRunc);
        Assert.False(w.Host.LockHeld);
    }

    [Fact]
    public void TheHookRunsBeforeTheBundleIsWritten()
    {
        using var w = new World().Job(edit: c => c with { PreStart = "/var/vcap/jobs/web/bin/pre" });
        w.Lifecycle.Start("web", null);

        w.Journal.InOrder("host.openLogs web", "host.runHook /var/vcap/jobs/web/bin/pre", "bundles.write web", w.Detached);
        Assert.Equal(["starting", "running-pre-start-hook", "pre-start-hook-complete", "complete"], w.Logs.Events);
        Assert.Equal("/var/vcap/jobs/web/bin/pre", w.Log("pre-start-hook-complete").Data["hook"]);
        Assert.Equal("/var/vcap/jobs/web/bin/pre", w.Host.HookConfig?.PreStart);
        Assert.NotNull(w.Host.HookLogs);
    }

    [Fact]
    public void AnEmptyHookIsNoHook()
    {
        using var w = new World().Job(edit: c => c with { PreStart = "" });
        w.Lifecycle.Start("web", null);
        w.Journal.NeverStarting("host.runHook");
        Assert.True(w.Journal.Saw("bundles.write web"));
    }

    [Fact]
    public void AlreadyRunningAdoptsThePidFileAndLaunchesNothing()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Running(31));
        w.Lifecycle.Start("web", null);

        Assert.Equal(["starting", "process-already-running"], w.Logs.Events);
        Assert.Equal(31, w.Records.PidFile);
        w.Journal.NeverStarting("host.prepare", "host.openLogs", "bundles.write", "runc.runDetached", "runc.delete", "host.reap", "host.clearPins");
        // Its memory kills are looked at even so.
        Assert.True(w.Journal.Saw("host.readCgroup /cg/now"));
    }

    [Theory]
    [InlineData(ContainerStatus.Exited, "stopped")]
    [InlineData(ContainerStatus.Created, "created")]
    [InlineData(ContainerStatus.Creating, "creating")]
    [InlineData(ContainerStatus.Paused, "paused")]
    public void AStaleContainerIsDeletedItsEndRecordedThenStarted(ContainerStatus status, string runcWord)
    {
        using var w = new World().Job();
        var stale = w.In(status);
        w.Runc.Set(stale);
        w.Lifecycle.Start("web", null);

        Assert.Equal(runcWord, w.Log("deleting-stale-container").Data["status"]);
        w.Journal.InOrder("log.info deleting-stale-container", "host.readCgroup /cg/now", $"runc.delete {w.Id}", "host.clearPins web",
            "records.forgetOomKills", "records.writeExit exited on its own (exit status not known to bpm)",
            "host.prepare web", w.Detached, "log.info complete");
        Assert.Equal(stale.Created, w.Host.Sinces[0]);
        Assert.Equal(w.Clock.Now, w.Records.ExitAt);
    }

    [Fact]
    public void AStaleContainerTheMemoryLimitKilledIsRecordedSo()
    {
        using var w = new World().Job();
        w.Runc.Set(w.In(ContainerStatus.Exited));
        w.Host.Stats = new CgroupStats { OomKills = 1, MemoryLimitBytes = 1024 };
        w.Lifecycle.Start("web", null);

        Assert.Equal(ExitReasons.Oom, w.Records.ExitReason);
        Assert.Equal("1", w.Log("oom-killed").Data["oom_kills"]);
        // The count went with the deleted container.
        Assert.Equal(0, w.Records.ReportedOom);
    }

    [Fact]
    public void AnUnreadableStateIsClearedByHandThenStarted()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Unknown("state.json: truncated"));
        w.Bundles.WrittenPath = "/cg/written";
        w.Lifecycle.Start("web", null);

        var corrupt = w.Log("corrupt-state");
        Assert.Equal("error", corrupt.Level);
        Assert.Equal("state.json: truncated", corrupt.Error);
        w.Journal.InOrder("log.error corrupt-state", $"runc.forget {w.Id}", "host.reap /cg/written", "host.clearPins web",
            "host.prepare web", w.Detached, "log.info complete");
        w.Journal.Never($"runc.delete {w.Id}");
    }

    [Fact]
    public void AnUnknownStateWithoutAProblemStillSaysWhy()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Unknown() with { Problem = null });
        w.Lifecycle.Start("web", null);
        Assert.Equal("unreadable state", w.Log("corrupt-state").Error);
    }

    [Fact]
    public void ALeftoverHookStillAliveIsKilled()
    {
        using var w = new World().Job();
        w.Host.LiveHookPid = 555;
        w.Lifecycle.Start("web", null);

        Assert.Equal("555", w.Log("killing-leftover-pre-start-hook").Data["pid"]);
        w.Journal.InOrder("host.liveHook web", "host.killHook 555", "host.prepare web");
        w.Journal.NeverStarting("host.forgetHook");
    }

    [Fact]
    public void WithoutALeftoverHookItsMarkerIsForgotten()
    {
        using var w = new World().Job();
        w.Lifecycle.Start("web", null);
        w.Journal.InOrder("host.liveHook web", "host.forgetHook web", "host.prepare web");
        w.Journal.NeverStarting("host.killHook", "log.info killing-leftover-pre-start-hook");
    }

    [Fact]
    public void LeftoverCgroupsAreReapedWhereTheBundlePutThemAndWhereTheyGoNow()
    {
        using var w = new World().Job();
        w.Bundles.WrittenPath = "/cg/old-layout";
        w.Bundles.CurrentCgroupsPath = "/cg/now";
        w.Lifecycle.Start("web", null);

        Assert.Equal(1, w.Journal.Count("host.reap /cg/old-layout"));
        Assert.Equal(1, w.Journal.Count("host.reap /cg/now"));
        w.Journal.InOrder("host.reap /cg/old-layout", "host.clearPins web", "host.prepare web");
    }

    [Fact]
    public void OnePathIsReapedOnceWhenBothAreTheSame()
    {
        using var w = new World().Job();
        w.Bundles.WrittenPath = "/cg/now";
        w.Lifecycle.Start("web", null);
        Assert.Equal(1, w.Journal.Count("host.reap /cg/now"));
    }

    [Fact]
    public void WithoutAReadableBundleOnlyTheCurrentPathIsReaped()
    {
        using var w = new World().Job();
        w.Bundles.WrittenPath = null;
        w.Lifecycle.Start("web", null);
        Assert.Equal(["host.reap /cg/now"], w.Journal.Calls.Where(c => c.StartsWith("host.reap", StringComparison.Ordinal)));
    }

    [Fact]
    public void AFailedHookLeavesNoBundleNoPinsAndNoContainer()
    {
        using var w = new World().Job(edit: c => c with { PreStart = "/bin/pre" });
        w.Bundles.Put(w.P);
        w.Journal.Throw("host.runHook", new BpmException("failed to run pre-start hook /bin/pre (exit status 3)"));

        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Start("web", null));
        Assert.Equal("failed to run pre-start hook /bin/pre (exit status 3)", e.Message);
        var failed = w.Log("pre-start-hook-failed");
        Assert.Equal(e.Message, failed.Error);
        Assert.Equal("/bin/pre", failed.Data["hook"]);
        Assert.Equal(e.Message, w.Log("failed").Error);
        Assert.False(w.Bundles.Holds(w.P));
        w.Journal.InOrder("host.runHook /bin/pre", "log.error pre-start-hook-failed", "bundles.remove web", "host.clearPins web", "log.error failed");
        w.Journal.NeverStarting("bundles.write", "runc.runDetached", "log.info complete", "log.info pre-start-hook-complete");
    }

    [Fact]
    public void PrepareFailingClearsThePins()
    {
        using var w = new World().Job();
        w.Journal.Throw("host.prepare", new BpmException("volume /x: not allowed"));

        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Start("web", null));
        Assert.Equal("volume /x: not allowed", e.Message);
        w.Journal.InOrder("host.prepare web", "host.clearPins web", "log.error failed");
        w.Journal.NeverStarting("host.openLogs", "runc.runDetached");
    }

    [Fact]
    public void OpeningTheLogFilesFailingClearsThePins()
    {
        using var w = new World().Job();
        w.Journal.Throw("host.openLogs", new BpmException("stdout log: a directory"));

        Assert.Throws<BpmException>(() => w.Lifecycle.Start("web", null));
        w.Journal.InOrder("host.openLogs web", "host.clearPins web");
        w.Journal.NeverStarting("runc.runDetached");
    }

    [Fact]
    public void RuncFailingDeletesWhatItMadeAndPointsAtStderr()
    {
        using var w = new World().Job();
        w.Runc.RunDetachedExit = 3;

        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Start("web", null));
        Assert.Equal($"failed to start job-process: runc run exited with status 3 (see {w.P.Stderr})", e.Message);
        w.Journal.InOrder(w.Detached, $"runc.delete {w.Id}", "host.clearPins web", "bundles.remove web", "log.error failed");
        Assert.Equal(e.Message, w.Log("failed").Error);
        w.Journal.NeverStarting("log.info complete");
    }

    [Fact]
    public void RuncThrowingClearsThePins()
    {
        using var w = new World().Job();
        w.Journal.Throw("runc.runDetached", new BpmException("runc: not found"));

        Assert.Throws<BpmException>(() => w.Lifecycle.Start("web", null));
        w.Journal.InOrder(w.Detached, "host.clearPins web", "bundles.remove web", "log.error failed");
        w.Journal.Never($"runc.delete {w.Id}");
    }

    [Fact]
    public void WritingTheBundleFailingClearsThePins()
    {
        using var w = new World().Job();
        w.Journal.Throw("bundles.write", new IOException("disk full"));

        Assert.Throws<IOException>(() => w.Lifecycle.Start("web", null));
        w.Journal.InOrder("bundles.write web", "host.clearPins web", "bundles.remove web", "log.error failed");
        w.Journal.NeverStarting("runc.runDetached");
        // An I/O failure is the host's, not a bug: no stack trace.
        Assert.False(w.Log("failed").Data.ContainsKey("stack_trace"));
    }

    [Fact]
    public void ABrokenConfigFailsBeforeTheLock()
    {
        using var w = new World();
        w.Configs.Broken["web"] = "processes: must be a list";

        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Start("web", null));
        Assert.Equal("failed to parse job configuration: /jobs/web/config/bpm.yml:3:7: processes: must be a list", e.Message);
        Assert.IsType<ConfigException>(e.InnerException);
        w.Journal.NeverStarting("host.lock", "logs.for", "runc.");
    }

    [Fact]
    public void AnotherFailureToLoadIsNotWrapped()
    {
        using var w = new World();
        w.Journal.Throw("configs.load", new BpmException("invalid job name: \"x\""));
        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Start("web", null));
        Assert.Equal("invalid job name: \"x\"", e.Message);
    }

    [Fact]
    public void AnUnknownProcessIsRefusedBeforeTheLock()
    {
        using var w = new World().Job();

        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Start("web", "worker"));
        Assert.Equal($"process \"worker\" not present in job configuration ({w.Root.ConfigPath("web")})", e.Message);
        w.Journal.NeverStarting("host.lock", "runc.");
    }

    [Fact]
    public void AnotherProcessOfTheJobHasItsOwnContainer()
    {
        using var w = new World().Job("web", null, "worker");
        w.Lifecycle.Start("web", "worker");
        var p = w.Lifecycle.Ref("web", "worker");
        Assert.Equal("bpm-web.2eworker", p.ContainerId);
        Assert.True(w.Journal.Saw($"runc.runDetached {p.ContainerId} {p.BundleDir} {p.PidFile}"));
        Assert.True(w.Journal.Saw("host.lock web.worker"));
    }

    [Theory]
    [InlineData("..", null, "invalid job name: \"..\"")]
    [InlineData("a/b", null, "invalid job name: \"a/b\"")]
    [InlineData("", null, "invalid job name: \"\"")]
    [InlineData("web", "../x", "invalid process name: \"../x\"")]
    public void BadNamesAreRefusedBeforeAnythingIsAsked(string job, string? process, string message)
    {
        using var w = new World().Job();
        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Start(job, process));
        Assert.Equal(message, e.Message);
        Assert.Empty(w.Journal.Calls);
    }

    [Fact]
    public void WithoutTheVcapUserNothingStarts()
    {
        using var w = new World().Job();
        w.Journal.Throw("host.vcap", new BpmException("user vcap not found"));
        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Start("web", null));
        Assert.Equal("user vcap not found", e.Message);
        w.Journal.NeverStarting("runc.", "logs.for");
        Assert.False(w.Host.LockHeld);
    }

    [Fact]
    public void ALogThatCannotBeOpenedFailsTheStart()
    {
        using var w = new World().Job();
        w.Logs.Opens = false;
        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Start("web", null));
        Assert.StartsWith("failed to open bpm.log", e.Message);
        w.Journal.NeverStarting("runc.");
    }

    [Fact]
    public void ADefectIsLoggedWithItsStackTraceAndRethrownAsIs()
    {
        using var w = new World().Job();
        var bug = new InvalidOperationException("sequence contains no elements");
        w.Journal.Throw("host.prepare", bug);

        var e = Assert.Throws<InvalidOperationException>(() => w.Lifecycle.Start("web", null));
        Assert.Same(bug, e);
        var failed = w.Log("failed");
        Assert.Equal("internal error (a bug in bpm): InvalidOperationException: sequence contains no elements", failed.Error);
        Assert.Contains("InvalidOperationException", failed.Data["stack_trace"]);
        Assert.True(w.Journal.Saw("host.clearPins web"));
    }

    [Fact]
    public void AnOperatorErrorIsLoggedWithoutAStackTrace()
    {
        using var w = new World().Job();
        w.Journal.Throw("host.prepare", new BpmException("no room"));
        Assert.Throws<BpmException>(() => w.Lifecycle.Start("web", null));
        Assert.Empty(w.Log("failed").Data);
    }

    [Fact]
    public void ARunningContainersNewMemoryKillsAreReported()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Running());
        w.Host.Stats = new CgroupStats { OomKills = 2, MemoryLimitBytes = 4096 };
        w.Records.ReportedOom = 1;
        w.Lifecycle.Start("web", null);

        var oom = w.Log("oom-killed");
        Assert.Equal("2", oom.Data["oom_kills"]);
        Assert.Equal("4096", oom.Data["memory_limit_bytes"]);
        Assert.Equal(2, w.Records.ReportedOom);
        Assert.Null(w.Host.Sinces[0]);
    }
}
