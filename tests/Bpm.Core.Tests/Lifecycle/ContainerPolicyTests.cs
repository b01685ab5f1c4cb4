using Bpm.Runc;
using Bpm.Status;
using Xunit;

namespace Bpm.Tests.Lifecycle;

// The one policy for a container's state, as every command meets it.
public class ContainerPolicyTests
{
    public static TheoryData<string> LockingCommands => ["start", "run", "stop"];

    private static void Do(World w, string command)
    {
        switch (command)
        {
            case "start": w.Lifecycle.Start("web", null); break;
            case "run": w.Lifecycle.Run("web", null, [], []); break;
            case "stop": w.Lifecycle.Stop("web", null); break;
            case "pid": try { w.Lifecycle.Pid("web", null); } catch (BpmException) { } break;
            case "status": w.Lifecycle.Status("web", null); break;
            case "list": w.Lifecycle.List((_, _) => { }); break;
            default: throw new ArgumentException(command);
        }
    }

    [Theory]
    [MemberData(nameof(LockingCommands))]
    public void CommandsThatChangeAContainerReadItsStateUnderTheLock(string command)
    {
        using var w = new World().Job();
        Do(w, command);
        Assert.True(w.Journal.WasLocked($"runc.state {w.Id}"));
    }

    [Theory]
    [InlineData("pid")]
    [InlineData("status")]
    [InlineData("list")]
    public void CommandsThatOnlyLookTakeNoLockAndClearNothing(string command)
    {
        using var w = new World().Job();
        w.Runc.Set(w.In(ContainerStatus.Exited));
        w.Host.Stats = new CgroupStats { OomKills = 1 };
        Do(w, command);
        w.Journal.NeverStarting("host.lock", "runc.delete", "runc.forget", "host.reap", "host.clearPins", "records.writeExit", "records.forgetOomKills", "bundles.remove");
    }

    [Theory]
    [MemberData(nameof(LockingCommands))]
    public void AnExitedContainerIsDeletedAndItsEndRecordedByEveryLockingCommand(string command)
    {
        using var w = new World().Job();
        var stale = w.In(ContainerStatus.Exited);
        w.Runc.Set(stale);
        w.Clock.Now = w.Clock.Now.AddHours(1);
        Do(w, command);

        // Figures first (they go with the container), then the delete, then the record.
        w.Journal.InOrder($"runc.state {w.Id}", "host.readCgroup /cg/now", $"runc.delete {w.Id}",
            "host.clearPins web", "records.forgetOomKills", "records.writeExit exited on its own (exit status not known to bpm)");
        Assert.Equal(stale.Created, w.Host.Sinces[0]);
        Assert.Equal(w.Clock.Now, w.Records.ExitAt);
    }

    [Theory]
    [MemberData(nameof(LockingCommands))]
    public void AnUnreadableStateIsTornDownByHandByEveryLockingCommand(string command)
    {
        using var w = new World().Job();
        w.Runc.Set(w.Unknown("torn"));
        Do(w, command);

        Assert.Equal("torn", w.Log("corrupt-state").Error);
        w.Journal.InOrder("log.error corrupt-state", $"runc.forget {w.Id}", "host.reap /cg/now", "host.clearPins web");
        // runc cannot load it, so it is never asked to delete it before it is forgotten.
        Assert.DoesNotContain($"runc.delete {w.Id}", w.Journal.Calls.TakeWhile(c => c != $"runc.forget {w.Id}"));
        w.Journal.NeverStarting("records.writeExit exited");
    }

    [Fact]
    public void AnUnreadableStateIsReapedWhereItsBundlePutIt()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Unknown());
        w.Bundles.WrittenPath = "/cg/written";
        w.Bundles.CurrentCgroupsPath = "/cg/now";
        w.Lifecycle.Stop("web", null);
        w.Journal.InOrder($"runc.forget {w.Id}", "host.reap /cg/written", "host.clearPins web", "log.info job-already-stopped");
    }

    [Fact]
    public void ARunningContainerIsLeftAlone()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Running());
        w.Lifecycle.Run("web", null, [], []);
        w.Journal.NeverStarting("runc.delete", "runc.forget", "host.reap", "host.clearPins", "records.writeExit", "host.liveHook");
    }

    [Fact]
    public void FiguresOfAContainerComeFromWhereItsBundlePutIt()
    {
        using var w = new World().Job();
        w.Runc.Set(w.In(ContainerStatus.Exited));
        w.Bundles.WrittenPath = "/cg/written";
        w.Host.StatsAt["/cg/written"] = new CgroupStats { OomKills = 4 };
        w.Lifecycle.Start("web", null);
        Assert.Equal(ExitReasons.Oom, w.Records.ExitReason);
        Assert.Equal("4", w.Log("oom-killed").Data["oom_kills"]);
    }

    public static TheoryData<long?> NoKills => [null, 0L, -1L];

    [Theory]
    [MemberData(nameof(NoKills))]
    public void NoMemoryKillsNothingReported(long? kills)
    {
        using var w = new World().Job();
        w.Runc.Set(w.Running());
        w.Host.Stats = new CgroupStats { OomKills = kills };
        w.Lifecycle.Start("web", null);
        w.Journal.NeverStarting("log.error oom-killed", "records.setReportedOomKills");
    }

    [Fact]
    public void NoCgroupNothingReported()
    {
        using var w = new World().Job();
        w.Runc.Set(w.In(ContainerStatus.Exited));
        w.Host.Stats = null;
        w.Lifecycle.Stop("web", null);
        w.Journal.NeverStarting("log.error oom-killed");
        Assert.Equal("exited on its own (exit status not known to bpm)", w.Records.ExitReason);
    }

    [Fact]
    public void ReportedKillsAreCountedPerLookNotPerContainerLife()
    {
        using var w = new World().Job();
        w.Runc.Set(w.Running());
        w.Host.Stats = new CgroupStats { OomKills = 1 };
        w.Lifecycle.Status("web", null);
        w.Lifecycle.Status("web", null);
        Assert.Single(w.Logs.Entries, e => e.Event == "oom-killed");

        w.Host.Stats = new CgroupStats { OomKills = 2 };
        w.Lifecycle.Status("web", null);
        Assert.Equal(2, w.Logs.Entries.Count(e => e.Event == "oom-killed"));
    }

    [Fact]
    public void TheLifecycleWritesNothingOfItsOwn()
    {
        var w = new World().Job();
        using (w)
        {
            foreach (var command in new[] { "start", "pid", "status", "list", "stop", "run" }) Do(w, command);
            Assert.False(Directory.Exists(w.Root.Path));
            var temp = Path.GetDirectoryName(w.Root.Path)!;
            Assert.Equal([Path.Join(temp, "fakes"), Path.Join(temp, "fakes", "job.lock")],
                Directory.EnumerateFileSystemEntries(temp, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        }
        Assert.False(Directory.Exists(Path.GetDirectoryName(w.Root.Path)));
    }

    [Fact]
    public void TheWorldCatchesWhatATestLeavesOpen()
    {
        var w = new World();
        var held = w.Host.Lock(w.P);
        var logs = w.Host.OpenLogs(w.P, FakeHost.VcapIds, w.Logs.For("start", w.P));
        var e = Assert.Throws<InvalidOperationException>(w.Dispose);
        Assert.Contains("job lock", e.Message);
        Assert.Contains("log file", e.Message);
        Assert.Contains("bpm.log", e.Message);
        held.Dispose();
        logs.Dispose();
    }
}
