namespace Bpm.IntegrationTests;

/// <summary>
/// `bpm run` against a `bpm stop` or `bpm start` of the same job, at varied delays: each command
/// either does its job or says why not, run reports its process's own status, there is never more
/// than one container, and nothing is left behind.
/// </summary>
public sealed class RunRaceTests
{
    // A job that ends with 143 on TERM, as a shell job trapping it would.
    private const string TrapsTerm = "trap 'exit 143' TERM; while true; do sleep 0.05; done";

    public static TheoryData<int> Delays => new() { 0, 40, 120, 300, 500 };

    [Theory]
    [MemberData(nameof(Delays))]
    public void StopOfARunningErrandEndsItWithItsOwnStatus(int delayMs)
    {
        using var root = new BoshRoot();
        root.WriteShellJob("errand", TrapsTerm);
        using var run = root.StartBpm("run", "errand");
        Thread.Sleep(delayMs); // the race itself: how far the run has got when stop arrives

        // A stop that came before the run made its container finds nothing to stop; stop again
        // until the run ends, as an operator would.
        var stops = new List<CommandResult>();
        BoshRoot.WaitFor(() =>
        {
            stops.Add(root.Bpm("stop", "errand"));
            return run.HasExited || WaitedFor(run, TimeSpan.FromMilliseconds(200));
        }, TimeSpan.FromSeconds(30), "the run to end after stop");

        foreach (var stop in stops) Assert.True(stop.ExitCode == 0, "stop: " + stop);
        // 143 whether the shell's trap or TERM's default action ended it.
        Assert.True(run.ExitCode == 143, $"run exited {run.ExitCode}; stderr: {run.Stderr.Text}");
        AssertNothingLeft(root, "errand");
    }

    [Theory]
    [MemberData(nameof(Delays))]
    public void StartDuringARunLeavesOneContainerAndTheRunUndisturbed(int delayMs)
    {
        using var root = new BoshRoot();
        root.WriteShellJob("errand", TrapsTerm);
        var id = BoshRoot.ContainerId("errand");
        using var run = root.StartBpm("run", "errand");
        Thread.Sleep(delayMs);

        var start = root.Bpm("start", "errand");
        Assert.True(start.ExitCode == 0, "start: " + start);
        Assert.Equal([id], root.RuncList());
        Assert.Equal("running", root.RuncStatus(id));
        // Whichever came first owns the container; the pidfile names it, for monit.
        var pid = root.Bpm("pid", "errand");
        Assert.True(pid.ExitCode == 0, "pid: " + pid);
        Assert.Equal(root.ReadPidFile("errand").ToString() + "\n", pid.Stdout);

        var stop = root.Bpm("stop", "errand");
        Assert.True(stop.ExitCode == 0, "stop: " + stop);
        BoshRoot.WaitFor(() => run.HasExited, TimeSpan.FromSeconds(30), "the run to end");
        // The run either ran the container (stopped by TERM) or found it running (a start won).
        Assert.True(run.ExitCode is 143 or 0, $"run exited {run.ExitCode}; stderr: {run.Stderr.Text}");
        AssertNothingLeft(root, "errand");
    }

    private static bool WaitedFor(RunningCommand run, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (run.HasExited) return true;
            Thread.Sleep(10);
        }
        return run.HasExited;
    }

    private static void AssertNothingLeft(BoshRoot root, string job)
    {
        Assert.Empty(root.RuncList());
        Assert.False(Directory.Exists(root.BundleDir(job)), "bundle left: " + root.BundleDir(job));
        Assert.False(File.Exists(root.PidFile(job)), "pidfile left: " + root.PidFile(job));
        Assert.Empty(BoshRoot.MountsUnder(root.Root));
        Assert.Empty(MonitTests.CgroupDirs(CgroupNames.Leaf(root.Root, BoshRoot.ContainerId(job))));
    }
}
