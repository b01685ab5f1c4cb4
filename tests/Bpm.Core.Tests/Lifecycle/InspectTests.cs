using Bpm.Config;
using Bpm.Lifecycle;
using Bpm.Runc;
using Bpm.Status;
using Xunit;

namespace Bpm.Tests.Lifecycle;

public class InspectTests
{
    [Fact]
    public void PidOfARunningProcess()
    {
        using var w = new World();
        w.Runc.Set(w.Running(31));
        Assert.Equal(31, w.Lifecycle.Pid("web", null));
        // From the names alone: no bpm.yml is read, nothing is locked or changed.
        w.Journal.NeverStarting("configs.", "host.", "logs.", "records.", "runc.delete");
    }

    public static TheoryData<ContainerStatus, int> NotRunningStates => new()
    {
        { ContainerStatus.Absent, 0 },
        { ContainerStatus.Exited, 0 },
        { ContainerStatus.Created, 50 },
        { ContainerStatus.Paused, 50 },
        { ContainerStatus.Unknown, 0 },
        { ContainerStatus.Running, 0 },
    };

    [Theory]
    [MemberData(nameof(NotRunningStates))]
    public void PidOfAnythingElseIsNotRunning(ContainerStatus status, int pid)
    {
        using var w = new World();
        w.Runc.Set(new ContainerState(w.Id, status, pid));
        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Pid("web", null));
        Assert.Equal(JobLifecycle.NotRunning, e.Message);
    }

    [Fact]
    public void PidOfABadNameIsRefused()
    {
        using var w = new World();
        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Pid("web", ".."));
        Assert.Equal("invalid process name: \"..\"", e.Message);
    }

    [Fact]
    public void ShellExecsBashInTheRunningContainer()
    {
        using var w = new World();
        w.Runc.Set(w.Running());
        Assert.Equal(0, w.Lifecycle.Shell("web", null, "xterm-256color"));
        Assert.True(w.Journal.Saw($"runc.exec --tty --env TERM=xterm-256color {w.Id} /bin/bash"));
    }

    [Fact]
    public void ShellOfAStoppedProcessExecsNothing()
    {
        using var w = new World();
        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Shell("web", null, "xterm"));
        Assert.Equal(JobLifecycle.NotRunning, e.Message);
        w.Journal.NeverStarting("runc.exec");
    }

    [Fact]
    public void StatusOfAStoppedProcessGivesWhyItEnded()
    {
        using var w = new World().Job();
        w.Records.ExitReason = "stopped by bpm: exited after TERM";
        var s = w.Lifecycle.Status("web", null);

        Assert.Equal("stopped", s.State);
        Assert.Equal(w.Id, s.ContainerId);
        Assert.Equal(("web", "web"), (s.Job, s.Process));
        Assert.StartsWith("stopped by bpm: exited after TERM (at ", s.ExitReason);
        Assert.Null(s.Pid);
        w.Journal.NeverStarting("host.readCgroup", "logs.for", "runc.delete", "host.lock");
    }

    [Fact]
    public void StatusOfANeverStartedProcessHasNoReason()
    {
        using var w = new World().Job();
        var s = w.Lifecycle.Status("web", null);
        Assert.Equal("stopped", s.State);
        Assert.Null(s.ExitReason);
    }

    [Fact]
    public void StatusWhileAStartRunsTheHook()
    {
        using var w = new World().Job();
        w.Host.LiveHookPid = 88;
        w.Records.ExitReason = "old";
        var s = w.Lifecycle.Status("web", null);
        Assert.Equal(StatusReport.HookRunning, s.State);
        Assert.Null(s.ExitReason);
        w.Journal.NeverStarting("host.killHook", "host.forgetHook");
    }

    [Fact]
    public void StatusOfAnUnreadableStateSaysWhy()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Unknown("state.json: truncated"));
        w.Host.LiveHookPid = 88;
        var s = w.Lifecycle.Status("web", null);
        Assert.Equal("unknown", s.State);
        Assert.Equal("state.json: truncated", s.ExitReason);
        w.Journal.NeverStarting("runc.forget", "host.reap", "host.liveHook", "host.readCgroup");
    }

    [Fact]
    public void StatusOfARunningProcessHasItsFigures()
    {
        using var w = new World().Job();
        var running = w.Running(31);
        w.Runc.Set(running);
        w.Bundles.WrittenPath = "/cg/written";
        w.Host.Stats = new CgroupStats
        {
            MemoryBytes = 100, MemoryPeakBytes = 200, MemoryLimitBytes = 300, Pids = 4, PidsLimit = 5, CpuSeconds = 1.23456, OomKills = 0,
        };
        var s = w.Lifecycle.Status("web", null);

        Assert.Equal("running", s.State);
        Assert.Equal(31, s.Pid);
        Assert.Equal(running.Created, s.StartedAt);
        Assert.Equal(300.0, s.UptimeSeconds);
        Assert.Equal((100L, 200L, 300L, 4L, 5L, 0L), (s.MemoryBytes, s.MemoryPeakBytes, s.MemoryLimitBytes, s.Pids, s.PidsLimit, s.OomKills));
        Assert.Equal(1.235, s.CpuSeconds);
        Assert.Null(s.ExitReason);
        Assert.True(w.Journal.Saw("host.readCgroup /cg/written"));
        Assert.Equal(running.Created, w.Host.Sinces.Single());
        w.Journal.NeverStarting("log.error", "host.lock", "runc.delete");
    }

    [Fact]
    public void UptimeFollowsTheClock()
    {
        using var w = new World().Job();
        var running = w.Running();
        w.Runc.Set(running);
        w.Clock.Now = running.Created.AddSeconds(12.3456);
        Assert.Equal(12.346, w.Lifecycle.Status("web", null).UptimeSeconds);
    }

    [Fact]
    public void StatusWithoutCgroupFiguresLeavesThemOut()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Running());
        w.Host.Stats = null;
        var s = w.Lifecycle.Status("web", null);
        Assert.Null(s.MemoryBytes);
        Assert.Null(s.CpuSeconds);
        Assert.Null(s.OomKills);
    }

    [Fact]
    public void StatusReportsNewMemoryKillsToAnExistingLog()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Running());
        w.Host.Stats = new CgroupStats { OomKills = 2 };
        w.Records.ReportedOom = 1;
        w.Lifecycle.Status("web", null);

        Assert.True(w.Journal.Saw("log.open required=False create=False"));
        var oom = w.Log("oom-killed");
        Assert.Equal("status", oom.Command);
        Assert.Equal("2", oom.Data["oom_kills"]);
        Assert.Equal(2, w.Records.ReportedOom);
    }

    [Fact]
    public void StatusKeepsMemoryKillsForLaterWhenThereIsNoLog()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Running());
        w.Host.Stats = new CgroupStats { OomKills = 2 };
        w.Logs.Opens = false;
        var s = w.Lifecycle.Status("web", null);

        Assert.Equal(2, s.OomKills);
        Assert.Equal(0, w.Records.ReportedOom);
        w.Journal.NeverStarting("records.setReportedOomKills", "log.error");
    }

    [Theory]
    [InlineData(0, "exited on its own (exit status not known to bpm)")]
    [InlineData(1, "killed by the memory limit")]
    public void StatusOfAnExitedContainerIsFailed(long oomKills, string reason)
    {
        using var w = new World().Job();
        w.Runc.Set(w.In(ContainerStatus.Exited));
        w.Host.Stats = new CgroupStats { OomKills = oomKills };
        var s = w.Lifecycle.Status("web", null);

        Assert.Equal("failed", s.State);
        Assert.Equal(reason, s.ExitReason);
        Assert.Null(s.Pid);
        Assert.Null(s.UptimeSeconds);
        Assert.NotNull(s.StartedAt);
        // A look changes nothing but bpm.log.
        w.Journal.NeverStarting("runc.delete", "records.writeExit", "host.clearPins");
    }

    [Theory]
    [InlineData(ContainerStatus.Created, "created")]
    [InlineData(ContainerStatus.Creating, "creating")]
    [InlineData(ContainerStatus.Paused, "paused")]
    public void AContainerNotYetRunningOrPausedHasNoExitReason(ContainerStatus status, string name)
    {
        using var w = new World().Job();
        w.Runc.Set(w.In(status));
        var s = w.Lifecycle.Status("web", null);

        Assert.Equal(name, s.State);
        Assert.Null(s.ExitReason);
        Assert.Null(s.Pid);
    }

    [Fact]
    public void StatusOfAProcessNotConfigured()
    {
        using var w = new World().Job();
        var e = Assert.Throws<BpmException>(() => w.Lifecycle.Status("web", "worker"));
        Assert.Equal($"process \"worker\" not present in job configuration ({w.Root.ConfigPath("web")})", e.Message);
        w.Journal.NeverStarting("runc.");
    }

    [Fact]
    public void StatusOfABrokenConfigIsTheConfigsOwnError()
    {
        using var w = new World();
        w.Configs.Broken["web"] = "bad";
        var e = Assert.Throws<ConfigException>(() => w.Lifecycle.Status("web", null));
        Assert.Equal("/jobs/web/config/bpm.yml:3:7: bad", e.Message);
    }

    [Fact]
    public void ListMergesConfiguredAndKnownSortedByName()
    {
        using var w = new World();
        w.Job("web", null, "worker").Job("api").Job("zeta");
        w.Configs.Broken["broken"] = "bad yaml";
        var web = w.Lifecycle.Ref("web");
        var worker = w.Lifecycle.Ref("web", "worker");
        var api = w.Lifecycle.Ref("api");
        w.Runc.Listed =
        [
            new ContainerState(web.ContainerId, ContainerStatus.Running, 31),
            new ContainerState(worker.ContainerId, ContainerStatus.Exited),
            new ContainerState(api.ContainerId, ContainerStatus.Unknown, Problem: "bad"),
            new ContainerState("bpm-old.2eproc", ContainerStatus.Running, 77),
            new ContainerState("bpm-gone", ContainerStatus.Exited),
            new ContainerState("not-bpm", ContainerStatus.Running, 5),
            new ContainerState("bpm-bad.zz", ContainerStatus.Running, 6),
        ];
        var invalid = new List<(string, string)>();
        var rows = w.Lifecycle.List((job, why) => invalid.Add((job, why)));

        Assert.Equal([("broken", "/jobs/broken/config/bpm.yml:3:7: bad yaml")], invalid);
        Assert.Equal(
            [
                new ProcessStatus("api", "api", "api", api.ContainerId, null, "unknown"),
                new ProcessStatus("gone", null, null, "bpm-gone", null, "failed"),
                new ProcessStatus("old.proc", null, null, "bpm-old.2eproc", 77, "running"),
                new ProcessStatus("web", "web", "web", web.ContainerId, 31, "running"),
                new ProcessStatus("web.worker", "web", "worker", worker.ContainerId, null, "failed"),
                new ProcessStatus("zeta", "zeta", "zeta", "bpm-zeta", null, "stopped"),
            ],
            rows);
        w.Journal.NeverStarting("host.", "logs.", "records.", "runc.delete", "runc.state");
    }

    [Fact]
    public void ListWithNothingIsEmpty()
    {
        using var w = new World();
        Assert.Empty(w.Lifecycle.List((_, _) => Assert.Fail("nothing is invalid")));
    }
}
