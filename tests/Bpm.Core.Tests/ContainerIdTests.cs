using Bpm.Bosh;
using Bpm.Identity;
using Xunit;

namespace Bpm.Tests;

public class ContainerIdTests
{
    [Theory]
    [InlineData("a", "a", "bpm-a")]
    [InlineData("web", "web", "bpm-web")]
    [InlineData("a", "b", "bpm-a.2eb")]
    [InlineData("web", "worker", "bpm-web.2eworker")]
    [InlineData("my_job-1", "my_job-1", "bpm-my_job-1")]
    [InlineData("Job9", "Proc_0-x", "bpm-Job9.2eProc_0-x")]
    public void ForEncodesJobAndProcess(string job, string process, string expected) =>
        Assert.Equal(expected, ProcessRef.Of(new BoshRoot("/var/vcap"), job, process).ContainerId);

    [Fact]
    public void NameIsJobWhenProcessIsTheJob()
    {
        Assert.Equal("web", ProcessRef.Of(new BoshRoot("/var/vcap"), "web", "web").Name);
        Assert.Equal("web.worker", ProcessRef.Of(new BoshRoot("/var/vcap"), "web", "worker").Name);
    }

    [Theory]
    [InlineData("a.b", "a.2eb")]
    [InlineData("a b", "a.20b")]
    [InlineData("a/b", "a.2fb")]
    [InlineData("a:b", "a.3ab")]
    [InlineData("~", ".7e")]
    [InlineData("", "")]
    [InlineData("é", ".c3.a9")]
    [InlineData("日", ".e6.97.a5")]
    [InlineData("😀", ".f0.9f.98.80")]
    public void EncodeEscapesEveryOtherUtf8Byte(string name, string expected) =>
        Assert.Equal(expected, ContainerIds.Encode(name));

    [Fact]
    public void EncodeUsesLowercaseHex() => Assert.Equal(".c3.bf.2e.3a", ContainerIds.Encode("\u00ff.:"));

    [Theory]
    [InlineData("web")]
    [InlineData("web.worker")]
    [InlineData("a.b.c")]
    [InlineData("a b/c:d")]
    [InlineData("é日😀")]
    [InlineData(".2e")]
    [InlineData("bpm-x")]
    [InlineData("")]
    public void DecodeReversesEncode(string name) =>
        Assert.Equal(name, ContainerIds.Decode(ContainerIds.Prefix + ContainerIds.Encode(name)));

    [Fact]
    public void DecodeReversesFor() =>
        Assert.Equal("web.worker", ContainerIds.Decode(ProcessRef.Of(new BoshRoot("/var/vcap"), "web", "worker").ContainerId));

    [Fact]
    public void DecodeOfAJobIdIsTheJob() => Assert.Equal("web", ContainerIds.Decode("bpm-web"));

    [Theory]
    [InlineData("web")]
    [InlineData("")]
    [InlineData("bpm")]
    [InlineData("BPM-web")]
    [InlineData("xbpm-web")]
    public void DecodeWithoutPrefixFails(string id) => Assert.Throws<BpmException>(() => ContainerIds.Decode(id));

    [Theory]
    [InlineData("bpm-a.")]
    [InlineData("bpm-a.2")]
    [InlineData("bpm-.")]
    [InlineData("bpm-a.zz")]
    [InlineData("bpm-a.g0")]
    [InlineData("bpm-a.-1")]
    [InlineData("bpm-a.+1")]
    public void DecodeRejectsMalformedEscapes(string id) => Assert.Throws<BpmException>(() => ContainerIds.Decode(id));

    [Theory]
    [InlineData("bpm-a. 1")]
    [InlineData("bpm-a.1 ")]
    public void DecodeRejectsWhitespaceInEscapes(string id) => Assert.Throws<BpmException>(() => ContainerIds.Decode(id));

    [Fact]
    public void TheProcessRefUsesTheContainerId()
    {
        Assert.Equal("bpm-web", ProcessRef.Of(new BoshRoot("/var/vcap"), "web", "web").ContainerId);
        Assert.Equal("bpm-web.2eworker", ProcessRef.Of(new BoshRoot("/var/vcap"), "web", "worker").ContainerId);
    }

    [Fact]
    public void LockFileEncodesJobDotProcessEvenWhenProcessIsTheJob()
    {
        var paths = ProcessRef.Of(new BoshRoot("/var/vcap"), "web", "web");
        Assert.Equal("/var/vcap/data/bpm/locks/job-web.2eweb.lock", paths.LockFile);
    }

    [Fact]
    public void LockFileForAnotherProcess()
    {
        var paths = ProcessRef.Of(new BoshRoot("/var/vcap"), "web", "worker");
        Assert.Equal("/var/vcap/data/bpm/locks/job-web.2eworker.lock", paths.LockFile);
    }
}
