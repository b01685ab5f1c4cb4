using Bpm.Runc;
using Bpm.Status;
using Xunit;

namespace Bpm.Tests.Lifecycle;

public class StopTests
{
    private static World RunningWeb(Func<Config.ProcessConfig, Config.ProcessConfig>? edit = null)
    {
        var w = new World().Job(edit: edit);
        w.Runc.Set(w.Running(31));
        w.Bundles.Put(w.P);
        w.Records.PidFile = 31;
        return w;
    }

    [Fact]
    public void NothingThereClearsLeftoversWithoutReadingTheConfig()
    {
        using var w = new World();
        w.Bundles.WrittenPath = "/cg/written";
        w.Bundles.Put(w.P);
        w.Records.PidFile = 12;
        w.Lifecycle.Stop("web", null);

        Assert.Equal(["starting", "job-already-stopped", "complete"], w.Logs.Events);
        w.Journal.InOrder("host.lock web", "host.vcap", "log.open required=False create=True", "log.info starting", $"runc.state {w.Id}",
            "log.info job-already-stopped", "host.liveHook web", "host.forgetHook web", "host.reap /cg/written", "host.reap /cg/now",
            "host.clearPins web", "bundles.remove web", "records.removePidFile", "log.info complete");
        w.Journal.NeverStarting("configs.", "runc.delete", "runc.kill", "records.writeExit");
        Assert.False(w.Bundles.Holds(w.P));
        Assert.Null(w.Records.PidFile);
        Assert.True(w.Journal.WasLocked("log.info complete"));
    }

    [Fact]
    public void NothingThereButALiveHookKillsIt()
    {
        using var w = new World();
        w.Host.LiveHookPid = 99;
        w.Lifecycle.Stop("web", null);
        w.Journal.InOrder("log.info job-already-stopped", "log.info killing-leftover-pre-start-hook", "host.killHook 99", "log.info complete");
    }

    [Fact]
    public void ARunningProcessThatExitsOnTermIsDeletedAndRecorded()
    {
        using var w = RunningWeb();
        w.Lifecycle.Stop("web", null);

        w.Journal.InOrder("configs.load web", "host.watch 31", "host.waitForInit 31", $"runc.kill {w.Id} TERM", "watch.wait 15s",
            "log.info process-exited", "watch.dispose", "host.readCgroup /cg/now", $"runc.delete {w.Id}", "host.clearPins web",
            "records.forgetOomKills", "records.writeExit stopped by bpm: exited after TERM", "host.liveHook web",
            "bundles.remove web", "records.removePidFile", "log.info complete");
        Assert.Equal("TERM", w.Log("process-exited").Data["signal"]);
        w.Journal.NeverStarting("runc.kill bpm-web QUIT", "log.info sending-sigquit", "host.reap");
        Assert.Equal(ContainerStatus.Absent, w.Runc.Table(w.Id).Status);
        Assert.Null(w.Records.PidFile);
        Assert.False(w.Bundles.Holds(w.P));
        // The look that settles the state reads the figures too; the delete reads them since the creation.
        Assert.Equal(w.Running(31).Created, w.Host.Sinces.Last());
        Assert.True(w.Journal.WasLocked($"runc.kill {w.Id} TERM"));
    }

    [Fact]
    public void TheConfiguredShutdownSignalIsSent()
    {
        using var w = RunningWeb(c => c with { ShutdownSignal = "INT" });
        w.Lifecycle.Stop("web", null);
        Assert.True(w.Journal.Saw($"runc.kill {w.Id} INT"));
        w.Journal.NeverStarting($"runc.kill {w.Id} TERM");
        Assert.Equal("stopped by bpm: exited after INT", w.Records.ExitReason);
    }

    [Fact]
    public void TermIgnoredThenQuit()
    {
        using var w = RunningWeb();
        w.Host.Exits.Enqueue(false);
        w.Host.Exits.Enqueue(true);
        w.Lifecycle.Stop("web", null);

        w.Journal.InOrder($"runc.kill {w.Id} TERM", "watch.wait 15s", "log.info sending-sigquit", $"runc.kill {w.Id} QUIT", "watch.wait 2s", $"runc.delete {w.Id}");
        Assert.Equal("stopped by bpm: exited after QUIT", w.Records.ExitReason);
        w.Journal.NeverStarting("log.info forcefully-deleting", "log.info process-exited");
    }

    [Fact]
    public void BothIgnoredTheContainerIsForcefullyDeleted()
    {
        using var w = RunningWeb();
        w.Host.Exits.Enqueue(false);
        w.Host.Exits.Enqueue(false);
        w.Lifecycle.Stop("web", null);

        w.Journal.InOrder("log.info sending-sigquit", "watch.wait 2s", "log.info forcefully-deleting", $"runc.delete {w.Id}", "log.info complete");
        Assert.Equal("stopped by bpm: killed after ignoring TERM and QUIT", w.Records.ExitReason);
    }

    [Fact]
    public void QuitThatCannotBeSentIsLoggedAndTheWaitGoesOn()
    {
        using var w = RunningWeb();
        w.Host.Exits.Enqueue(false);
        w.Host.Exits.Enqueue(true);
        w.Journal.Throw($"runc.kill bpm-web QUIT", new BpmException("container not running"));
        w.Lifecycle.Stop("web", null);

        var failed = w.Log("failed-to-signal");
        Assert.Equal("QUIT", failed.Data["signal"]);
        Assert.Equal("container not running", failed.Error);
        w.Journal.InOrder("log.error failed-to-signal", "watch.wait 2s", $"runc.delete {w.Id}");
        Assert.Equal("stopped by bpm: exited after QUIT", w.Records.ExitReason);
    }

    [Fact]
    public void ASignalThatCannotBeSentGoesStraightToTheDelete()
    {
        using var w = RunningWeb();
        w.Journal.Throw("runc.kill", new BpmException("container not running"));
        w.Lifecycle.Stop("web", null);

        var failed = w.Log("failed-to-signal");
        Assert.Equal("TERM", failed.Data["signal"]);
        Assert.Equal("container not running", failed.Error);
        w.Journal.NeverStarting("watch.wait", "log.info sending-sigquit");
        w.Journal.InOrder("log.error failed-to-signal", "watch.dispose", $"runc.delete {w.Id}", "log.info complete");
        Assert.Equal("stopped by bpm: killed (the shutdown signal could not be sent)", w.Records.ExitReason);
    }

    [Fact]
    public void ABrokenConfigIsLoggedAndTheDefaultSignalSent()
    {
        using var w = RunningWeb();
        w.Configs.Configs.Clear();
        w.Configs.Broken["web"] = "bad yaml";
        w.Lifecycle.Stop("web", null);

        Assert.Equal("/jobs/web/config/bpm.yml:3:7: bad yaml", w.Log("failed-to-parse-config").Error);
        Assert.True(w.Journal.Saw($"runc.kill {w.Id} TERM"));
        Assert.Equal(["starting", "failed-to-parse-config", "process-exited", "complete"], w.Logs.Events);
    }

    [Fact]
    public void AProcessNoLongerDefinedIsStoppedWithTheDefaultSignal()
    {
        using var w = new World().Job("web", c => c with { ShutdownSignal = "INT" });
        var worker = w.Lifecycle.Ref("web", "worker");
        w.Runc.Set(new ContainerState(worker.ContainerId, ContainerStatus.Running, 40, w.Clock.Now));
        w.Lifecycle.Stop("web", "worker");

        Assert.Equal($"process \"worker\" not present in job configuration ({worker.ConfigFile})", w.Log("process-not-defined").Error);
        Assert.True(w.Journal.Saw($"runc.kill {worker.ContainerId} TERM"));
        Assert.True(w.Journal.Saw($"runc.delete {worker.ContainerId}"));
    }

    [Fact]
    public void AnUnknownStateIsForgottenReapedAndThenAlreadyStopped()
    {
        using var w = new World();
        w.Runc.Set(w.Unknown("bad json"));
        w.Bundles.WrittenPath = "/cg/written";
        w.Lifecycle.Stop("web", null);

        Assert.Equal("bad json", w.Log("corrupt-state").Error);
        w.Journal.InOrder("log.error corrupt-state", $"runc.forget {w.Id}", "host.reap /cg/written", "host.clearPins web",
            "log.info job-already-stopped", "host.reap /cg/written", "host.reap /cg/now", "bundles.remove web", "records.removePidFile", "log.info complete");
        w.Journal.NeverStarting("runc.kill", "runc.delete", "configs.");
    }

    [Fact]
    public void AnExitedContainerIsDeletedWithTheDefaultReason()
    {
        using var w = new World().Job();
        w.Runc.Set(w.In(ContainerStatus.Exited));
        w.Lifecycle.Stop("web", null);

        w.Journal.NeverStarting("runc.kill", "host.watch", "configs.");
        w.Journal.InOrder($"runc.delete {w.Id}", "records.writeExit exited on its own (exit status not known to bpm)", "host.liveHook web", "bundles.remove web", "log.info complete");
    }

    [Fact]
    public void AnExitedContainerTheMemoryLimitKilledSaysSo()
    {
        using var w = new World().Job();
        w.Runc.Set(w.In(ContainerStatus.Exited));
        w.Host.Stats = new CgroupStats { OomKills = 1 };
        w.Lifecycle.Stop("web", null);

        Assert.Equal("killed by the memory limit", w.Records.ExitReason);
        Assert.Equal("none", w.Log("oom-killed").Data["memory_limit_bytes"]);
    }

    [Fact]
    public void AHookLeftBesideAContainerIsKilledAfterTheDelete()
    {
        using var w = RunningWeb();
        w.Host.LiveHookPid = 77;
        w.Lifecycle.Stop("web", null);
        w.Journal.InOrder($"runc.delete {w.Id}", "host.killHook 77", "bundles.remove web");
    }

    [Fact]
    public void NewMemoryKillsAreReportedBeforeTheDelete()
    {
        using var w = RunningWeb();
        w.Host.Stats = new CgroupStats { OomKills = 3, MemoryLimitBytes = 1 << 20 };
        w.Records.ReportedOom = 1;
        w.Lifecycle.Stop("web", null);

        var oom = w.Log("oom-killed");
        Assert.Equal("error", oom.Level);
        Assert.Equal("a process of the job was killed by its memory limit", oom.Error);
        Assert.Equal("3", oom.Data["oom_kills"]);
        Assert.Equal("1048576", oom.Data["memory_limit_bytes"]);
        w.Journal.InOrder("log.error oom-killed", "records.setReportedOomKills 3", $"runc.delete {w.Id}", "records.forgetOomKills");
        // Stopped by bpm, not by the memory limit: the reason says how it went.
        Assert.Equal("stopped by bpm: exited after TERM", w.Records.ExitReason);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void MemoryKillsAlreadyReportedAreNotReportedAgain(long reported)
    {
        using var w = RunningWeb();
        w.Host.Stats = new CgroupStats { OomKills = 2 };
        w.Records.ReportedOom = reported;
        w.Lifecycle.Stop("web", null);

        w.Journal.NeverStarting("log.error oom-killed", "records.setReportedOomKills");
    }

    [Fact]
    public void ALogThatCannotBeOpenedDoesNotKeepTheJobFromStopping()
    {
        using var w = RunningWeb();
        w.Logs.Opens = false;
        w.Lifecycle.Stop("web", null);
        Assert.True(w.Journal.Saw($"runc.delete {w.Id}"));
        Assert.Empty(w.Logs.Entries);
    }

    [Fact]
    public void ADeleteThatFailsIsTheStopsFailure()
    {
        using var w = RunningWeb();
        w.Journal.Throw("runc.delete", new BpmException("failed to delete container bpm-web: busy"));
        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Stop("web", null));
        Assert.Equal("failed to delete container bpm-web: busy", w.Log("failed").Error);
        Assert.Equal(e.Message, w.Log("failed").Error);
        w.Journal.NeverStarting("log.info complete", "records.writeExit");
    }

    [Fact]
    public void WithoutTheVcapUserNothingIsStopped()
    {
        using var w = RunningWeb();
        w.Journal.Throw("host.vcap", new BpmException("user vcap not found"));
        Assert.Throws<BpmException>(() => w.Lifecycle.Stop("web", null));
        w.Journal.NeverStarting("runc.");
    }

    [Fact]
    public void BadNamesAreRefusedBeforeTheLock()
    {
        using var w = new World();
        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Stop("web/../x", null));
        Assert.Equal("invalid job name: \"web/../x\"", e.Message);
        Assert.Empty(w.Journal.Calls);
    }

    [Fact]
    public void ADefectIsLoggedWithItsStackTrace()
    {
        using var w = RunningWeb();
        w.Journal.Throw("host.waitForInit", new NullReferenceException("oops"));
        Assert.Throws<NullReferenceException>(() => w.Lifecycle.Stop("web", null));
        Assert.True(w.Log("failed").Data.ContainsKey("stack_trace"));
    }
}
