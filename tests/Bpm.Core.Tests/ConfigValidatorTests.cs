using Bpm.Config;
using Xunit;

namespace Bpm.Tests;

public class ConfigValidatorTests
{
    private const string Job = "server";

    private static ProcessConfig Valid => new() { Name = "server", Executable = "/var/vcap/packages/server/bin/serve" };

    private static List<string> Messages(ProcessConfig p) => ConfigValidator.Validate(Job, p).Select(e => e.Message).ToList();

    private static ProcessConfig WithVolume(string path) => Valid with { AdditionalVolumes = [new Volume { Path = path }] };

    [Fact]
    public void ValidProcessHasNoErrors() => Assert.Empty(Messages(Valid));

    [Fact]
    public void EmptyName() => Assert.Equal(["invalid config: name"], Messages(Valid with { Name = "" }));

    [Fact]
    public void EmptyExecutable() => Assert.Equal(["invalid config: executable"], Messages(Valid with { Executable = "" }));

    [Theory]
    [InlineData("/var/vcap/data/../data/a/", "/var/vcap/data/a")]
    [InlineData("/var/vcap/data/a/", "/var/vcap/data/a")]
    [InlineData("/var/vcap//data/a", "/var/vcap/data/a")]
    [InlineData("/var/vcap/./data/a", "/var/vcap/data/a")]
    [InlineData("/var/vcap/data/a/..", "/var/vcap/data")]
    [InlineData("var/vcap/data/a/", "var/vcap/data/a")]
    public void VolumePathMustBeCanonical(string path, string clean) =>
        Assert.Equal([$"volume path must be canonical, expected {clean} but got {path}"], Messages(WithVolume(path)));

    [Fact]
    public void TheContractsCanonicalExample() =>
        Assert.Equal(
            ["volume path must be canonical, expected /var/vcap/data/a but got /var/vcap/data/../data/a/"],
            Messages(WithVolume("/var/vcap/data/../data/a/")));

    [Theory]
    [InlineData("/var/vcap/data/server")]
    [InlineData("/var/vcap/store/server")]
    public void VolumeMayNotBeTheJobsDataOrStoreDir(string path) =>
        Assert.Equal([$"invalid volume path: {path} cannot conflict with default job data or store directories"], Messages(WithVolume(path)));

    [Theory]
    [InlineData("/var/vcap/data/server/sub")]
    [InlineData("/var/vcap/store/server/sub")]
    [InlineData("/var/vcap/data/other")]
    [InlineData("/var/vcap/store/other")]
    [InlineData("/var/vcap/data/serverx")]
    [InlineData("/var/vcap/data/sockets")]
    [InlineData("/var/vcap/x")]
    public void VolumesElsewhereUnderTheRootAreFine(string path) => Assert.Empty(Messages(WithVolume(path)));

    [Theory]
    [InlineData("/var/vcap")]
    [InlineData("/var/vcapx/y")]
    [InlineData("/var/vcapx")]
    [InlineData("/var")]
    [InlineData("/etc/ssl")]
    [InlineData("/")]
    [InlineData("/tmp")]
    public void VolumeMustBeWithinTheRoot(string path) =>
        Assert.Equal([$"invalid volume path: {path} must be within /var/vcap"], Messages(WithVolume(path)));

    [Fact]
    public void EmptyVolumePathIsNotCanonical() =>
        Assert.Equal(["volume path must be canonical, expected . but got "], Messages(WithVolume("")));

    [Fact]
    public void VolumeErrorIsReportedAtTheVolume()
    {
        var at = new SourcePosition(7, 5);
        var p = Valid with { AdditionalVolumes = [new Volume { Path = "/etc", At = at }] };
        Assert.Equal(at, Assert.Single(ConfigValidator.Validate(Job, p)).At);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("TERM")]
    [InlineData("INT")]
    public void AcceptedShutdownSignals(string? signal) => Assert.Empty(Messages(Valid with { ShutdownSignal = signal }));

    [Theory]
    [InlineData("KILL")]
    [InlineData("term")]
    [InlineData("SIGTERM")]
    [InlineData("QUIT")]
    public void OtherShutdownSignalsAreRejected(string signal) =>
        Assert.Equal(
            [$"shutdown signal should either be 'TERM' or 'INT' (or left unspecified), but got '{signal}'"],
            Messages(Valid with { ShutdownSignal = signal }));

    [Theory]
    [InlineData("A=B")]
    [InlineData("A\nB")]
    [InlineData("")]
    [InlineData("A\0B")]
    public void BadEnvNamesAreRejected(string name)
    {
        var message = Assert.Single(Messages(Valid with { Env = [new(name, "v")] }));
        Assert.StartsWith("invalid environment variable name: ", message);
    }

    [Fact]
    public void EnvNameMessageQuotesTheName() =>
        Assert.Equal(["invalid environment variable name: \"A=B\""], Messages(Valid with { Env = [new("A=B", "v")] }));

    [Theory]
    [InlineData("FOO")]
    [InlineData("foo_bar")]
    [InlineData("A1")]
    public void OrdinaryEnvNamesAreFine(string name) => Assert.Empty(Messages(Valid with { Env = [new(name, "x=y\nz")] }));

    [Fact]
    public void AllErrorsComeInTheContractsOrder()
    {
        var p = new ProcessConfig
        {
            Name = "",
            Executable = "",
            AdditionalVolumes =
            [
                new Volume { Path = "/var/vcap/data/../data/a/" },
                new Volume { Path = "/var/vcap/data/server" },
                new Volume { Path = "/var/vcapx/y" },
            ],
            ShutdownSignal = "KILL",
            Env = [new("A=B", "1")],
        };
        Assert.Equal(
        [
            "invalid config: name",
            "invalid config: executable",
            "volume path must be canonical, expected /var/vcap/data/a but got /var/vcap/data/../data/a/",
            "invalid volume path: /var/vcap/data/server cannot conflict with default job data or store directories",
            "invalid volume path: /var/vcapx/y must be within /var/vcap",
            "shutdown signal should either be 'TERM' or 'INT' (or left unspecified), but got 'KILL'",
            "invalid environment variable name: \"A=B\"",
        ], Messages(p));
    }

    [Fact]
    public void ValidateJobConfigNamesFileAndPosition()
    {
        var config = new JobConfig(
        [
            Valid,
            Valid with { Name = "worker", ShutdownSignal = "HUP", At = new SourcePosition(9, 3) },
        ]);
        var e = Assert.Single(ConfigValidator.Validate("/x/bpm.yml", Job, config));
        Assert.Equal("/x/bpm.yml:9:3: shutdown signal should either be 'TERM' or 'INT' (or left unspecified), but got 'HUP'", e.ToString());
    }

    [Fact]
    public void ParsedFileValidatesWithPositions()
    {
        const string yaml = """
            processes:
            - name: server
              executable: /bin/serve
              additional_volumes:
              - path: /var/vcap/store/server
            """;
        var (config, errors) = ConfigParser.Parse("bpm.yml", yaml);
        Assert.Empty(errors);
        var e = Assert.Single(ConfigValidator.Validate("bpm.yml", Job, config!));
        Assert.Equal("bpm.yml:5:5: invalid volume path: /var/vcap/store/server cannot conflict with default job data or store directories", e.ToString());
    }

    [Fact]
    public void VolumeErrorHelper()
    {
        Assert.Null(ConfigValidator.VolumeError(Job, "/var/vcap/data/sockets"));
        Assert.Equal("invalid volume path: /var/vcap must be within /var/vcap", ConfigValidator.VolumeError(Job, "/var/vcap"));
    }

    [Theory]
    [InlineData("/tmp/r/data/sockets", null)]
    [InlineData("/tmp/r/data/server/sub", null)]
    [InlineData("/var/vcap/data/sockets", "invalid volume path: /var/vcap/data/sockets must be within /tmp/r")]
    [InlineData("/tmp/r", "invalid volume path: /tmp/r must be within /tmp/r")]
    [InlineData("/tmp/r/data/server", "invalid volume path: /tmp/r/data/server cannot conflict with default job data or store directories")]
    [InlineData("/tmp/r/store/server", "invalid volume path: /tmp/r/store/server cannot conflict with default job data or store directories")]
    [InlineData("/tmp/r/data/../x", "volume path must be canonical, expected /tmp/r/x but got /tmp/r/data/../x")]
    public void VolumesAreCheckedAgainstTheActualRoot(string path, string? error)
    {
        Assert.Equal(error, ConfigValidator.VolumeError(Job, path, "/tmp/r"));
        var messages = ConfigValidator.Validate(Job, WithVolume(path), "/tmp/r").Select(e => e.Message);
        Assert.Equal(error is null ? [] : [error], messages);
    }

    [Theory]
    [InlineData("/tmp/r/packages/bpm/bin", "/tmp/r/packages/bpm")]
    [InlineData("/tmp/r/packages/bpm", "/tmp/r/packages/bpm")]
    [InlineData("/tmp/r/data/bpm", "/tmp/r/data/bpm")]
    [InlineData("/tmp/r/data/bpm/bundles/x", "/tmp/r/data/bpm")]
    [InlineData("/tmp/r/data", "/tmp/r/data/bpm")]
    [InlineData("/tmp/r/packages", "/tmp/r/packages/bpm")]
    [InlineData("/tmp/r/sys", "/tmp/r/sys/run/bpm")]
    [InlineData("/tmp/r/sys/run", "/tmp/r/sys/run/bpm")]
    [InlineData("/tmp/r/sys/run/bpm/server", "/tmp/r/sys/run/bpm")]
    [InlineData("/tmp/r/sys/run/bpm-runc", "/tmp/r/sys/run/bpm-runc")]
    public void VolumesOverBpmsOwnFilesAreRefused(string path, string own) =>
        Assert.Equal($"invalid volume path: {path} cannot contain or be within bpm's own directory {own}", ConfigValidator.VolumeError(Job, path, "/tmp/r"));

    [Theory]
    [InlineData("/tmp/r/jobs", "/tmp/r/jobs")]
    [InlineData("/tmp/r/jobs/other/config", "/tmp/r/jobs")]
    [InlineData("/tmp/r/packages/server", "/tmp/r/packages")]
    public void VolumesInBoshsReadOnlyTreesAreRefused(string path, string tree) =>
        Assert.Equal($"invalid volume path: {path} cannot be within {tree}, which BOSH manages", ConfigValidator.VolumeError(Job, path, "/tmp/r"));

    [Theory]
    [InlineData("/tmp/r/sys/run/server")]
    [InlineData("/tmp/r/sys/run/bpmx")]
    [InlineData("/tmp/r/data/bpmx")]
    [InlineData("/tmp/r/data/packages-x")]
    [InlineData("/tmp/r/jobsx")]
    public void NeighboursOfBpmsFilesAreFine(string path) => Assert.Null(ConfigValidator.VolumeError(Job, path, "/tmp/r"));
}
