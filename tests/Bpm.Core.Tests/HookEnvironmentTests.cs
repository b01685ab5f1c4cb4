using Bpm.Bosh;
using Bpm.Config;
using Bpm.Host;
using Bpm.Identity;
using Xunit;

namespace Bpm.Tests;

// The pre-start hook's environment: the configured env, with TMPDIR, HOME and PATH of root's.
public class HookEnvironmentTests
{
    private static readonly ProcessRef P = ProcessRef.Of(new BoshRoot("/r"), "web");

    // Stands for the host: these directories are root's alone.
    private static readonly HashSet<string> Trusted =
        ["/r/jobs/web/bin", "/usr/local/bin", "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/opt/tool/bin"];

    private static bool RootOwned(string dir) => Trusted.Contains(dir);

    private static List<string> For(params (string Key, string Value)[] env) =>
        HookEnvironment.For(new ProcessConfig { Name = "web", Executable = "/bin/a", Env = env.Select(e => KeyValuePair.Create(e.Key, e.Value)).ToList() },
            P, "/root", "/r/data/bpm/hooks/bpm-web", RootOwned);

    [Fact]
    public void TheDefaultsAreRootsAndTheJobBinDirIsTheHostsPath() =>
        Assert.Equal(
            ["TMPDIR=/r/data/bpm/hooks/bpm-web", "LANG=en_US.UTF-8", "PATH=/r/jobs/web/bin:/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin", "HOME=/root"],
            For());

    [Fact]
    public void TheConfiguredEnvIsKeptButForTmpdirHomeAndPath() =>
        Assert.Equal(
            ["FOO=bar", "LANG=C", "TMPDIR=/r/data/bpm/hooks/bpm-web", "PATH=/opt/tool/bin:/usr/bin", "HOME=/root"],
            For(("FOO", "bar"), ("TMPDIR", "/var/vcap/data/web/tmp"), ("LANG", "C"), ("HOME", "/var/vcap/data/web"),
                ("PATH", "/var/vcap/sys/log/web:/opt/tool/bin:.:/usr/bin")));

    [Theory]
    [InlineData("/usr/bin:.", "/usr/bin")]
    [InlineData(".:/usr/bin", "/usr/bin")]
    [InlineData("/usr/bin::/bin", "/usr/bin:/bin")]
    [InlineData(":/usr/bin:", "/usr/bin")]
    [InlineData("bin:/usr/bin:./x", "/usr/bin")]
    [InlineData("/usr/bin/../../tmp:/usr/bin", "/usr/bin")]
    [InlineData("/usr/./bin:/bin", "/bin")]
    [InlineData("/usr/bin:/usr/bin:/bin", "/usr/bin:/bin")]
    [InlineData("/var/vcap/data/web/bin:/usr/bin", "/usr/bin")]
    [InlineData("/r/jobs/web/bin:/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin:.", "/r/jobs/web/bin:/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin")]
    public void SearchPathKeepsAbsoluteRootOwnedDirectories(string path, string expected) =>
        Assert.Equal(expected, HookEnvironment.SearchPath(path, RootOwned));

    // An empty PATH, or none, would leave the shell to its default, which for bash ends in ".".
    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("/var/vcap/sys/log/web")]
    public void WithNothingLeftTheSystemDirsThatPass(string path) =>
        Assert.Equal("/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin", HookEnvironment.SearchPath(path, RootOwned));

    [Fact]
    public void WithNoSystemDirEitherThePathIsEmpty() => Assert.Equal("", HookEnvironment.SearchPath(".:/x", _ => false));

    // The rule PathWalk.OpenRootOwned applies to each component.
    [Theory]
    [InlineData(0u, 0x41ed /* dir 0755 */, true, null)]
    [InlineData(0u, 0x41ed, false, null)]
    [InlineData(0u, 0x81ed /* file 0755 */, false, null)]
    [InlineData(2000u, 0x41ed, true, "/d is owned by uid 2000")]
    [InlineData(0u, 0x41fd /* dir 0775 */, true, "/d is writable by group or others")]
    [InlineData(0u, 0x41ef /* dir 0757 */, true, "/d is writable by group or others")]
    [InlineData(0u, 0x81fd /* file 0775 */, false, "/d is writable by group or others")]
    [InlineData(0u, 0x43ff /* dir 1777 */, true, null)]
    [InlineData(0u, 0x43ff /* dir 1777 */, false, "/d is writable by group or others")]
    [InlineData(2000u, 0x43ff /* dir 1777 */, true, "/d is owned by uid 2000")]
    public void OnlyRootCanChangeIt(uint uid, int mode, bool along, string? problem) =>
        Assert.Equal(problem, PathWalk.RootOnly(uid, (ushort)mode, "/d", along));
}
