using Bpm.Bosh;
using Bpm.Identity;
using Xunit;

namespace Bpm.Tests;

public class ProcessRefTests
{
    public static TheoryData<string> Roots => ["/var/vcap", "/tmp/x"];

    [Theory]
    [MemberData(nameof(Roots))]
    public void EveryPathOfContractSectionOne(string r)
    {
        var root = new BoshRoot(r);
        var p = ProcessRef.Of(root, "server", "worker");

        Assert.Equal(r + "/jobs/server", p.JobDir);
        Assert.Equal(r + "/jobs/server/config/bpm.yml", p.ConfigFile);
        Assert.Equal(r + "/packages", p.PackagesDir);
        Assert.Equal(r + "/data/packages", p.DataPackagesDir);
        Assert.Equal(r + "/data/server", p.DataDir);
        Assert.Equal(r + "/data/server/tmp", p.TmpDir);
        Assert.Equal(r + "/store", p.StoreRoot);
        Assert.Equal(r + "/store/server", p.StoreDir);
        Assert.Equal(r + "/sys/log/server", p.LogDir);
        Assert.Equal(r + "/sys/log/server/worker.stdout.log", p.Stdout);
        Assert.Equal(r + "/sys/log/server/worker.stderr.log", p.Stderr);
        Assert.Equal(r + "/sys/log/server/bpm.log", p.BpmLog);
        Assert.Equal(r + "/sys/run/server", p.RunDir);
        Assert.Equal(r + "/sys/run/bpm/server", p.PidDir);
        Assert.Equal(r + "/sys/run/bpm/server/worker.pid", p.PidFile);
        Assert.Equal(r + "/sys/run/bpm/server/worker.pre-start", p.PreStartMarker);
        Assert.Equal(r + "/data/bpm/locks/job-server.2eworker.lock", p.LockFile);
        Assert.Equal(r + "/data/bpm/bundles/server/worker", p.BundleDir);
        Assert.Equal(r + "/data/bpm/bundles/server", p.JobBundlesDir);
        Assert.Equal("bpm-server.2eworker", p.ContainerId);

        Assert.Equal(r + "/sys/run/bpm-runc", root.RuncRoot);
        Assert.Equal(r + "/jobs", root.JobsDir);
        Assert.Equal(r + "/packages/bpm/bin/runc", root.RuncPath);
        Assert.Equal(r + "/data/bpm/locks", root.LocksDir);
        Assert.Equal(r + "/jobs/other/config/bpm.yml", root.ConfigPath("other"));
        // tini is always used at its path inside the container.
        Assert.Equal("/var/vcap/packages/bpm/bin/tini", root.TiniInternal);
    }

    [Theory]
    [MemberData(nameof(Roots))]
    public void ProcessDefaultsToJobForLogsAndPid(string r)
    {
        var p = ProcessRef.Of(new BoshRoot(r), "web", "web");
        Assert.Equal(r + "/sys/log/web/web.stdout.log", p.Stdout);
        Assert.Equal(r + "/sys/log/web/web.stderr.log", p.Stderr);
        Assert.Equal(r + "/sys/run/bpm/web/web.pid", p.PidFile);
        Assert.Equal(r + "/data/bpm/bundles/web/web", p.BundleDir);
        Assert.Equal(r + "/data/bpm/locks/job-web.2eweb.lock", p.LockFile);
        Assert.Equal("bpm-web", p.ContainerId);
    }

    [Fact]
    public void InternalRootIsVarVcap() => Assert.Equal("/var/vcap", BoshRoot.Internal);

    [Theory]
    [InlineData("/tmp/x", "/tmp/x", "/var/vcap")]
    [InlineData("/tmp/x", "/tmp/x/jobs/web", "/var/vcap/jobs/web")]
    [InlineData("/tmp/x", "/tmp/x/data/web/tmp", "/var/vcap/data/web/tmp")]
    [InlineData("/tmp/x", "/tmp/xy/jobs", "/tmp/xy/jobs")]
    [InlineData("/tmp/x", "/etc/ssl", "/etc/ssl")]
    [InlineData("/tmp/x", "/tmp", "/tmp")]
    [InlineData("/var/vcap", "/var/vcap/jobs/web", "/var/vcap/jobs/web")]
    [InlineData("/var/vcap", "/var/vcap", "/var/vcap")]
    [InlineData("/var/vcap", "/etc", "/etc")]
    public void ToInternal(string root, string external, string expected) =>
        Assert.Equal(expected, new BoshRoot(root).ToInternal(external));

    [Fact]
    public void FromEnvironmentUsesBpmBoshRoot()
    {
        // Other tests in this assembly never read BPM_BOSH_ROOT, so setting it here is safe.
        var saved = Environment.GetEnvironmentVariable("BPM_BOSH_ROOT");
        try
        {
            Environment.SetEnvironmentVariable("BPM_BOSH_ROOT", "/tmp/bosh-root/");
            Assert.Equal("/tmp/bosh-root", BoshRoot.FromEnvironment().Path);
            Environment.SetEnvironmentVariable("BPM_BOSH_ROOT", null);
            Assert.Equal("/var/vcap", BoshRoot.FromEnvironment().Path);
        }
        finally
        {
            Environment.SetEnvironmentVariable("BPM_BOSH_ROOT", saved);
        }
    }

    [Theory]
    [InlineData("/a//b/../c/.", "/a/c")]
    [InlineData("", ".")]
    [InlineData("/..", "/")]
    [InlineData("/../..", "/")]
    [InlineData("a/../..", "..")]
    [InlineData("../a/..", "..")]
    [InlineData("/", "/")]
    [InlineData("//", "/")]
    [InlineData(".", ".")]
    [InlineData("./", ".")]
    [InlineData("a/..", ".")]
    [InlineData("a/b/", "a/b")]
    [InlineData("/var/vcap/data/", "/var/vcap/data")]
    [InlineData("/var/vcap/data/../data/a/", "/var/vcap/data/a")]
    [InlineData("/a/./b/./c", "/a/b/c")]
    [InlineData("../../a", "../../a")]
    [InlineData("a/../../b", "../b")]
    [InlineData("/a/b/c/../../d", "/a/d")]
    [InlineData("...", "...")]
    [InlineData("/a/.../b", "/a/.../b")]
    public void CleanFollowsGoFilepathClean(string path, string expected) =>
        Assert.Equal(expected, PathText.Clean(path));

    [Theory]
    [InlineData("/var/vcap/data/job", "/var/vcap/data/job", true)]
    [InlineData("/var/vcap/data/job/x", "/var/vcap/data/job", true)]
    [InlineData("/var/vcap/data/job/x/y", "/var/vcap/data/job", true)]
    [InlineData("/var/vcap/data/jobx", "/var/vcap/data/job", false)]
    [InlineData("/var/vcap/data/jo", "/var/vcap/data/job", false)]
    [InlineData("/var/vcap/data", "/var/vcap/data/job", false)]
    [InlineData("/var/vcap/data/job/x", "/var/vcap/data/job/", true)]
    [InlineData("/anything", "/", true)]
    public void IsWithinComparesWholeComponents(string path, string dir, bool expected) =>
        Assert.Equal(expected, PathText.IsWithin(path, dir));

    [Theory]
    [InlineData("/", 0)]
    [InlineData("/tmp", 1)]
    [InlineData("/var/vcap/jobs/web", 4)]
    [InlineData("/var//vcap/", 2)]
    public void Depth(string path, int expected) => Assert.Equal(expected, PathText.Depth(path));
}
