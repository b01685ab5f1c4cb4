using Bpm.IntegrationTests.Hardening;

namespace Bpm.IntegrationTests.Forensics;

/// <summary>
/// The waiter does not depend on the bpm start that made it: killed outright while runc still
/// works, start leaves a waiter that sees the container through and records how it ends.
/// </summary>
public sealed class KilledStartTests
{
    [Fact]
    public void AnEndIsRecordedThoughItsStartWasKilled()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        root.WriteShellJob("crash", Fx.UntilTriggered("crash", "exit 7"));
        var gate = new RuncGate(root, ["run"], before: false);
        using (var bpm = new BackgroundBpm(root, "start", "crash"))
        {
            BoshRoot.WaitFor(() => File.Exists(gate.Reached("run")) || bpm.HasExited, "bpm start to have runc run the container");
            Assert.True(File.Exists(gate.Reached("run")), "bpm start ended before runc ran: " + bpm.Stderr.Text);
            bpm.KillBpm();
        }
        gate.Open();
        BoshRoot.WaitFor(() => File.Exists(gate.Done("run")), "the orphaned runc run to finish");
        BoshRoot.WaitFor(() => root.RuncStatus(BoshRoot.ContainerId("crash")) == "running", "the container to run");
        var waiter = Fx.RunningWaiter(root, "crash");

        Fx.Trigger(root, "crash");
        var recorded = Fx.WaitForEnd(root, "crash");
        Assert.Equal(7, recorded.GetProperty("exit_code").GetInt32());
        BoshRoot.WaitFor(() => !waiter.Alive, TimeSpan.FromSeconds(5), $"waiter {waiter} to finish");
        var s = Fx.Status(root, "crash");
        Assert.Equal(7, s.GetProperty("exit_code").GetInt32());
        Assert.False(s.GetProperty("stopped_by_bpm").GetBoolean());

        var stop = root.Bpm("stop", "crash");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Empty(root.RuncList());
    }
}
