using Bpm.Config;
using Xunit;

namespace Bpm.Tests;

public class RunOverridesTests
{
    [Fact]
    public void PathWithoutOptions()
    {
        var v = RunOverrides.ParseVolume("/var/vcap/data/x");
        Assert.Equal("/var/vcap/data/x", v.Path);
        Assert.False(v.Writable);
        Assert.False(v.MountOnly);
        Assert.False(v.AllowExecutions);
        Assert.False(v.Shared);
        Assert.Equal(default, v.At);
    }

    [Theory]
    [InlineData("writable", true, false, false, false)]
    [InlineData("mount_only", false, true, false, false)]
    [InlineData("allow_executions", false, false, true, false)]
    [InlineData("shared", false, false, false, true)]
    [InlineData("writable,allow_executions", true, false, true, false)]
    [InlineData("writable,mount_only,allow_executions,shared", true, true, true, true)]
    [InlineData("shared,writable", true, false, false, true)]
    public void PathWithOptions(string options, bool writable, bool mountOnly, bool exec, bool shared)
    {
        var v = RunOverrides.ParseVolume("/var/vcap/data/x:" + options);
        Assert.Equal("/var/vcap/data/x", v.Path);
        Assert.Equal(writable, v.Writable);
        Assert.Equal(mountOnly, v.MountOnly);
        Assert.Equal(exec, v.AllowExecutions);
        Assert.Equal(shared, v.Shared);
    }

    [Theory]
    [InlineData("/a:writable:shared")]
    [InlineData("/a::")]
    [InlineData("a:b:c:d")]
    public void MoreThanOneColonIsRejected(string definition)
    {
        var e = Assert.Throws<BpmException>(() => RunOverrides.ParseVolume(definition));
        Assert.Equal($"invalid volume definition (format: <path>[:<options>]): {definition}", e.Message);
    }

    [Theory]
    [InlineData("/a:readonly", "readonly")]
    [InlineData("/a:writable,bogus", "bogus")]
    [InlineData("/a:Writable", "Writable")]
    [InlineData("/a:exec", "exec")]
    public void UnknownOptionIsRejected(string definition, string option)
    {
        var e = Assert.Throws<BpmException>(() => RunOverrides.ParseVolume(definition));
        Assert.Equal($"invalid volume option: {option}", e.Message);
    }

    [Theory]
    [InlineData("FOO=bar", "FOO", "bar")]
    [InlineData("FOO=", "FOO", "")]
    [InlineData("FOO=a=b", "FOO", "a=b")]
    [InlineData("FOO=with space", "FOO", "with space")]
    public void ParsesEnv(string definition, string key, string value) =>
        Assert.Equal(new KeyValuePair<string, string>(key, value), RunOverrides.ParseEnv(definition));

    [Theory]
    [InlineData("FOO")]
    [InlineData("")]
    public void EnvWithoutEqualsIsRejectedWithTheOriginalsTypo(string definition)
    {
        var e = Assert.Throws<BpmException>(() => RunOverrides.ParseEnv(definition));
        Assert.Equal($"invalid envionment variable definition (format should be KEY=value): \"{definition}\"", e.Message);
    }

    [Fact]
    public void ApplyReplacesSameNamedEnvAndAppendsTheRest()
    {
        var cfg = new ProcessConfig
        {
            Name = "web",
            Executable = "/bin/web",
            Env = [new("A", "1"), new("B", "2"), new("C", "3")],
        };
        var result = RunOverrides.Apply(cfg, [], [new("B", "two"), new("D", "4")]);
        Assert.Equal(
            [new("A", "1"), new("C", "3"), new("B", "two"), new("D", "4")],
            result.Env);
        Assert.Single(result.Env, kv => kv.Key == "B");
        Assert.Equal("two", result.Env.Single(kv => kv.Key == "B").Value);
    }

    [Fact]
    public void ApplyAppendsVolumesAfterTheConfiguredOnes()
    {
        var configured = new Volume { Path = "/var/vcap/data/a", Writable = true };
        var cfg = new ProcessConfig { Name = "web", Executable = "/bin/web", AdditionalVolumes = [configured] };
        var extra = RunOverrides.ParseVolume("/var/vcap/data/b:allow_executions");
        var sameAgain = RunOverrides.ParseVolume("/var/vcap/data/a");
        var result = RunOverrides.Apply(cfg, [extra, sameAgain], []);
        Assert.Equal([configured, extra, sameAgain], result.AdditionalVolumes);
    }

    [Fact]
    public void ApplyLeavesEverythingElseAlone()
    {
        var cfg = new ProcessConfig
        {
            Name = "web",
            Executable = "/bin/web",
            Args = ["--x"],
            Env = [new("A", "1")],
            EphemeralDisk = true,
            ShutdownSignal = "INT",
        };
        var result = RunOverrides.Apply(cfg, [], []);
        Assert.Equal(cfg.Name, result.Name);
        Assert.Equal(cfg.Executable, result.Executable);
        Assert.Equal(cfg.Args, result.Args);
        Assert.Equal(cfg.Env, result.Env);
        Assert.True(result.EphemeralDisk);
        Assert.Equal("INT", result.ShutdownSignal);
        Assert.Empty(result.AdditionalVolumes);
    }
}
