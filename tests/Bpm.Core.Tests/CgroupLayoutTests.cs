using Bpm.Host;
using Xunit;

namespace Bpm.Tests;

// The host's cgroup layout from /proc/self/cgroup and /proc/self/mountinfo, for the three host
// shapes bpm meets: v1 with a v2 tree beside it and no systemd (this project's CI VM, captured),
// v1 under systemd (Jammy-like, systemd.unified_cgroup_hierarchy=0) and v2 only under systemd
// (Noble-like), as Debian 12's systemd 252 lays them out for a unit monit.service.
public class CgroupLayoutTests
{
    private const string CiCgroup = """
        9:name=systemd:/
        8:pids:/
        7:blkio:/
        6:freezer:/
        5:devices:/
        4:memory:/process_api/75d867518ea18511956f412f7be38581
        3:cpuset:/
        2:cpuacct:/
        1:cpu:/
        0::/
        """;

    private const string CiMountInfo = """
        22 1 0:21 / / rw,relatime - ext4 /dev/vda rw
        30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    private const string V1SystemdCgroup = """
        12:rdma:/
        11:pids:/system.slice/monit.service
        10:memory:/system.slice/monit.service
        9:cpu,cpuacct:/system.slice/monit.service
        8:net_cls,net_prio:/
        7:devices:/system.slice/monit.service
        6:freezer:/
        5:blkio:/system.slice/monit.service
        4:cpuset:/
        3:perf_event:/
        2:misc:/
        1:name=systemd:/system.slice/monit.service
        0::/system.slice/monit.service
        """;

    private const string V1SystemdMountInfo = """
        24 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
        25 24 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
        26 25 0:24 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:3 - tmpfs tmpfs ro,size=4096k,nr_inodes=1024,mode=755
        27 26 0:25 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate
        28 26 0:26 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:5 - cgroup cgroup rw,xattr,name=systemd
        31 26 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,cpu,cpuacct
        32 26 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,memory
        36 26 0:34 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,pids
        """;

    private const string V2SystemdCgroup = "0::/system.slice/monit.service\n";

    private const string V2SystemdMountInfo = """
        24 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
        25 24 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
        26 25 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:3 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        """;

    private static CgroupLayout Ci => CgroupLayout.Parse(CiCgroup, CiMountInfo, systemd: false);
    private static CgroupLayout V1Systemd => CgroupLayout.Parse(V1SystemdCgroup, V1SystemdMountInfo, systemd: true);
    private static CgroupLayout V2Systemd => CgroupLayout.Parse(V2SystemdCgroup, V2SystemdMountInfo, systemd: true);

    // ---- the CI VM: v1 without systemd, exactly as before

    [Fact]
    public void CiIsV1BesideAnEmptyV2Tree()
    {
        Assert.Equal(CgroupVersion.Hybrid, Ci.Version);
        Assert.False(Ci.Systemd);
        Assert.True(Ci.MountsV1);
        Assert.Equal("/", Ci.OwnPath);
    }

    [Fact]
    public void CiMountsEachV1HierarchyWithItsOwnOptions()
    {
        Assert.Equal("name=systemd", Ci.V1Mounts["/sys/fs/cgroup/systemd"]);
        Assert.Equal("memory", Ci.V1Mounts["/sys/fs/cgroup/memory"]);
        Assert.Equal("cpu", Ci.V1Mounts["/sys/fs/cgroup/cpu"]);
        Assert.Equal(9, Ci.V1Mounts.Count);
        var grouped = CgroupLayout.Parse("1:cpu,cpuacct:/\n0::/\n", CiMountInfo, systemd: false);
        Assert.Equal("cpu,cpuacct", grouped.V1Mounts["/sys/fs/cgroup/cpu,cpuacct"]);
        Assert.Empty(V2Systemd.V1Mounts);
    }

    [Fact]
    public void CiPlacesContainersBelowBpmsV2Cgroup() => Assert.Equal("/bpm-web", Ci.CgroupsPath("bpm-web"));

    [Fact]
    public void CiReadsEachControllerInItsHierarchy()
    {
        Assert.Equal("/sys/fs/cgroup/memory/bpm-web", Ci.Dir("/bpm-web", "memory"));
        Assert.Equal("/sys/fs/cgroup/pids/bpm-web", Ci.Dir("/bpm-web", "pids"));
        Assert.Equal("/sys/fs/cgroup/cpuacct/bpm-web", Ci.Dir("/bpm-web", "cpuacct"));
        Assert.Null(Ci.Dir("/bpm-web", "rdma"));
    }

    [Fact]
    public void CiReapsInEveryHierarchy() =>
        Assert.Equal(
            new[] { "blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids", "systemd", "unified" }
                .Select(h => $"/sys/fs/cgroup/{h}/a/bpm-web"),
            Ci.Dirs("/a/bpm-web").Order());

    [Fact]
    public void ABareV1HostBeforeItsHierarchiesAreMounted()
    {
        var bare = CgroupLayout.Parse(CiCgroup, "22 1 0:21 / / rw,relatime - ext4 /dev/vda rw\n", systemd: false);
        Assert.Equal(CgroupVersion.V1, bare.Version);
        Assert.True(bare.MountsV1);
        Assert.Equal("/sys/fs/cgroup/memory/bpm-web", bare.Dir("/bpm-web", "memory"));
    }

    // ---- v1 under systemd

    [Fact]
    public void V1SystemdMountsNothing()
    {
        Assert.Equal(CgroupVersion.Hybrid, V1Systemd.Version);
        Assert.True(V1Systemd.Systemd);
        Assert.False(V1Systemd.MountsV1);
    }

    [Fact]
    public void V1SystemdNamesTheScopeAfterBpmsUnit() =>
        Assert.Equal("system.slice:monit-service-bpm:bpm-web", V1Systemd.CgroupsPath("bpm-web"));

    [Fact]
    public void V1SystemdReadsTheScopeInEachHierarchy()
    {
        const string path = "system.slice:monit-service-bpm:bpm-web";
        Assert.Equal("/sys/fs/cgroup/memory/system.slice/monit-service-bpm-bpm-web.scope", V1Systemd.Dir(path, "memory"));
        Assert.Equal("/sys/fs/cgroup/pids/system.slice/monit-service-bpm-bpm-web.scope", V1Systemd.Dir(path, "pids"));
        // cpu and cpuacct share one hierarchy, named for both.
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct/system.slice/monit-service-bpm-bpm-web.scope", V1Systemd.Dir(path, "cpuacct"));
        Assert.Contains("/sys/fs/cgroup/systemd/system.slice/monit-service-bpm-bpm-web.scope", V1Systemd.Dirs(path));
        Assert.Contains("/sys/fs/cgroup/net_cls,net_prio/system.slice/monit-service-bpm-bpm-web.scope", V1Systemd.Dirs(path));
    }

    [Fact]
    public void V1SystemdWithoutAV2LineTakesSystemdsOwn()
    {
        var legacy = CgroupLayout.Parse(V1SystemdCgroup.Replace("0::/system.slice/monit.service", "0::/"), V1SystemdMountInfo, systemd: true);
        Assert.Equal("/system.slice/monit.service", legacy.OwnPath);
        Assert.Equal("system.slice:monit-service-bpm:bpm-web", legacy.CgroupsPath("bpm-web"));
        // Legacy mode: no v2 tree at all.
        var none = CgroupLayout.Parse(V1SystemdCgroup.Replace("0::/system.slice/monit.service\n", ""),
            string.Join('\n', V1SystemdMountInfo.Split('\n').Where(l => !l.Contains("cgroup2"))), systemd: true);
        Assert.Equal(CgroupVersion.V1, none.Version);
        Assert.Equal("system.slice:monit-service-bpm:bpm-web", none.CgroupsPath("bpm-web"));
    }

    // ---- v2 only under systemd

    [Fact]
    public void V2SystemdIsOneTree()
    {
        Assert.Equal(CgroupVersion.V2, V2Systemd.Version);
        Assert.False(V2Systemd.MountsV1);
        Assert.Empty(V2Systemd.Hierarchies);
    }

    [Fact]
    public void V2SystemdReadsEveryControllerInTheScope()
    {
        var path = V2Systemd.CgroupsPath("bpm-web");
        Assert.Equal("system.slice:monit-service-bpm:bpm-web", path);
        const string scope = "/sys/fs/cgroup/system.slice/monit-service-bpm-bpm-web.scope";
        Assert.Equal(scope, V2Systemd.Dir(path, "memory"));
        Assert.Equal(scope, V2Systemd.Dir(path, "pids"));
        Assert.Equal([scope], V2Systemd.Dirs(path));
        Assert.Equal("monit-service-bpm-bpm-web.scope", CgroupLayout.Unit(path));
    }

    [Fact]
    public void V2WithoutSystemdStaysBelowBpmsCgroup()
    {
        var plain = CgroupLayout.Parse(V2SystemdCgroup, V2SystemdMountInfo, systemd: false);
        Assert.Equal("/system.slice/monit.service/bpm-web", plain.CgroupsPath("bpm-web"));
        Assert.Equal(["/sys/fs/cgroup/system.slice/monit.service/bpm-web"], plain.Dirs("/system.slice/monit.service/bpm-web"));
        Assert.Null(CgroupLayout.Unit("/system.slice/monit.service/bpm-web"));
    }

    // ---- the systemd name, as bpm 1.4 builds it

    [Theory]
    [InlineData("/system.slice/monit.service", "system.slice:monit-service-bpm:bpm-web")]
    [InlineData("/system.slice/bosh@agent 1.service", "system.slice:bosh-agent-1-service-bpm:bpm-web")]
    [InlineData("/user.slice/user-0.slice/session-3.scope", "user.slice:user-0-slice-bpm:bpm-web")]
    [InlineData("/system.slice", "system.slice:bpm:bpm-web")]
    [InlineData("/init.scope", "system.slice:bpm:bpm-web")]
    [InlineData("/", "system.slice:bpm:bpm-web")]
    public void TheSliceAndTheUnitAfterIt(string own, string expected) =>
        Assert.Equal(expected, new CgroupLayout(CgroupVersion.V2, true, own, new Dictionary<string, string>()).CgroupsPath("bpm-web"));

    [Theory]
    [InlineData("system.slice:bpm:bpm-web", "system.slice/bpm-bpm-web.scope")]
    [InlineData("user.slice:user-0-slice-bpm:bpm-web", "user.slice/user-0-slice-bpm-bpm-web.scope")]
    [InlineData("a-b.slice:x-bpm:bpm-web.r0123456789ab", "a.slice/a-b.slice/x-bpm-bpm-web.r0123456789ab.scope")]
    [InlineData("/a/b/bpm-web", "a/b/bpm-web")]
    public void WhereRuncPutsIt(string cgroupsPath, string relative) => Assert.Equal(relative, CgroupLayout.Relative(cgroupsPath));

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/a/../b")]
    [InlineData("a:b")]
    [InlineData("system.slice:bpm:")]
    public void NoCgroupForNonsense(string cgroupsPath)
    {
        Assert.Null(CgroupLayout.Relative(cgroupsPath));
        Assert.Empty(Ci.Dirs(cgroupsPath));
        Assert.Empty(V2Systemd.Dirs(cgroupsPath));
    }

    // ------------------------------------------------------------------ the waiters' cgroup

    [Fact]
    public void WithoutSystemdAWaiterStaysWhereItIs() => Assert.Empty(WaiterCgroup.Dirs(Ci));

    [Fact]
    public void UnderSystemdAWaiterLeavesItsCallersUnitInTheHierarchiesSystemdTracks()
    {
        Assert.Equal(["/sys/fs/cgroup/bpm-waiters"], WaiterCgroup.Dirs(V2Systemd));
        var v1 = WaiterCgroup.Dirs(V1Systemd);
        Assert.Contains("/sys/fs/cgroup/systemd/bpm-waiters", v1);
        Assert.DoesNotContain(v1, d => d.Contains("/memory/", StringComparison.Ordinal) || d.Contains("/pids/", StringComparison.Ordinal));
        Assert.Equal(V1Systemd.Version == CgroupVersion.Hybrid, v1.Contains("/sys/fs/cgroup/unified/bpm-waiters"));
    }
}
