using Bpm.Bosh;
using Bpm.Host;
using Bpm.Identity;
using Bpm.Spec;
using Xunit;

namespace Bpm.Tests;

// Where containers' cgroups go: below bpm's own v2 cgroup, named apart per BOSH root.
public class CgroupsPathTests
{
    private const string HybridV1 = """
        9:name=systemd:/
        8:pids:/
        4:memory:/process_api/d2d1faa0
        3:cpuset:/
        1:cpu,cpuacct:/
        0::/
        """;

    [Fact]
    public void TheParentIsTheV2CgroupNotMemorys() => Assert.Equal("/", CgroupLayout.Parse(HybridV1, "", systemd: false).OwnPath);

    [Fact]
    public void TheParentIsTheV2CgroupWhereverItIs() =>
        Assert.Equal("/system.slice/monit.service", CgroupLayout.Parse("4:memory:/x\n0::/system.slice/monit.service\n", "", systemd: false).OwnPath);

    [Fact]
    public void OnlyV2() => Assert.Equal("/init.scope", CgroupLayout.Parse("0::/init.scope\n", "", systemd: false).OwnPath);

    [Theory]
    [InlineData("9:name=systemd:/a\n4:memory:/b\n")]
    [InlineData("")]
    [InlineData("garbage\n")]
    public void WithoutAV2LineTheRootOfEveryHierarchy(string text) => Assert.Equal("/", CgroupLayout.Parse(text, "", systemd: false).OwnPath);

    [Fact]
    public void TheDefaultRootKeepsTheContractsPath() =>
        Assert.Equal("/a/bpm-web", SpecBuilder.CgroupsPath(Web("/var/vcap"), Plain("/a")));

    [Fact]
    public void AnotherRootIsNamedApart()
    {
        var expected = "/bpm-web.r" + Convert.ToHexStringLower(System.IO.Hashing.XxHash3.Hash("/tmp/b1"u8))[..12];
        Assert.Equal(expected, SpecBuilder.CgroupsPath(Web("/tmp/b1"), Plain("/")));
        Assert.NotEqual(SpecBuilder.CgroupsPath(Web("/tmp/b1"), Plain("/")),
            SpecBuilder.CgroupsPath(Web("/tmp/b2"), Plain("/")));
    }

    [Fact]
    public void ARootsNameNeverLooksLikeAnotherJobsId()
    {
        var name = Web("/tmp/b1").CgroupName;
        Assert.Matches(@"^bpm-web\.r[0-9a-f]{12}$", name);
        // ".r" is not an escape Encode writes, so no job name encodes to this.
        Assert.Throws<BpmException>(() => ContainerIds.Decode(name));
    }

    [Fact]
    public void TheSpecUsesTheRootOfItsPaths()
    {
        var ctx = SpecBuilderTests.Context() with { Paths = ProcessRef.Of(new BoshRoot("/tmp/b1"), "web", "web") };
        Assert.StartsWith("/bpm-web.r", SpecBuilder.Build(new Bpm.Config.ProcessConfig { Name = "web", Executable = "/bin/true" }, ctx).Linux.CgroupsPath);
    }

    private static ProcessRef Web(string root) => ProcessRef.Of(new BoshRoot(root), "web");

    private static CgroupLayout Plain(string own) => new(CgroupVersion.V1, false, own, new Dictionary<string, string>());

    [Fact]
    public void UnderSystemdTheRootsNameIsTheScopesName() =>
        Assert.Equal("system.slice:monit-service-bpm:" + Web("/tmp/b1").CgroupName,
            SpecBuilder.CgroupsPath(Web("/tmp/b1"), new CgroupLayout(CgroupVersion.V2, true, "/system.slice/monit.service", new Dictionary<string, string>())));
}
