using Xunit;

namespace Bpm.IntegrationTests;

public class CgroupSetupTests
{
    // Without systemd, bpm mounts the cgroup v1 hierarchies when they are missing (contract §6).
    // The test takes them away in a private mount namespace, so the host's stay as they are.
    [Fact]
    public void StartMountsMissingCgroupHierarchies()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("web");
        var bpm = $"BPM_BOSH_ROOT='{root.Root}' '{BoshRoot.BpmBin}'";
        var script = "umount -l /sys/fs/cgroup && test -z \"$(ls /sys/fs/cgroup)\" && "
            + $"{bpm} start web && ls /sys/fs/cgroup && {bpm} pid web && {bpm} stop web";
        var r = BoshRoot.Run("unshare", "-m", "sh", "-c", script);
        Assert.True(r.ExitCode == 0, r.ToString());
        var mounted = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var hierarchy in new[] { "memory", "pids", "cpu", "freezer", "devices" })
            Assert.Contains(hierarchy, mounted);
        Assert.Empty(root.RuncList());
    }
}
