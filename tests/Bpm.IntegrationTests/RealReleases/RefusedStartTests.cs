using Bpm.IntegrationTests.Hardening;

namespace Bpm.IntegrationTests.RealReleases;

/// <summary>
/// A start that runc refuses (here an open_files limit above the kernel's nr_open, which even
/// root cannot set; on a host without CAP_SYS_RESOURCE, tcp_router's capabilities do the same)
/// must leave nothing behind: no container, no bundle, no mount under the root.
/// </summary>
public sealed class RefusedStartTests
{
    [Fact]
    public void AStartRuncRefusesLeavesNoBundleMounted()
    {
        using var root = new BoshRoot();
        var nrOpen = long.Parse(File.ReadAllText("/proc/sys/fs/nr_open").Trim());
        root.WriteSleepJob("refused", $"limits: {{open_files: {nrOpen + 1}}}");

        Hx.AssertCleanError(root.Bpm("start", "refused"), "runc run exited with status 1");

        Assert.Null(root.RuncStatus(BoshRoot.ContainerId("refused")));
        var left = BoshRoot.MountsUnder(root.Root);
        Assert.True(left.Count == 0, "mounts left after a refused start: " + string.Join(", ", left));
        Assert.False(Directory.Exists(root.BundleDir("refused")), "the refused start's bundle is left");
    }
}
