using Bpm.Config;
using Xunit;

namespace Bpm.Tests;

// Keys bpm does not know: still read past (start and run go on), but each is a warning for
// `validate`, at its position, with the nearest known key when one is close.
public class UnknownKeyTests
{
    private const string File = "/var/vcap/jobs/server/config/bpm.yml";

    private static ConfigParser.Result Read(string yaml) => ConfigParser.Read(File, yaml);

    private static List<string> Warnings(string yaml)
    {
        var r = Read(yaml);
        Assert.Empty(r.Errors);
        Assert.All(r.Warnings, w => Assert.True(w.Warning));
        return r.Warnings.Select(w => w.ToString()).ToList();
    }

    private const string Head = "processes:\n- name: web\n  executable: /bin/web\n";

    [Theory]
    [InlineData("  ephemeral_disc: true\n", "4:3: warning: unknown key 'ephemeral_disc' (did you mean ephemeral_disk?)")]
    [InlineData("  limit: {memory: 1G}\n", "4:3: warning: unknown key 'limit' (did you mean limits?)")]
    [InlineData("  evn: {A: b}\n", "4:3: warning: unknown key 'evn' (did you mean env?)")]
    [InlineData("  Name: x\n", "4:3: warning: unknown key 'Name' (did you mean name?)")]
    [InlineData("  colour: blue\n", "4:3: warning: unknown key 'colour'")]
    [InlineData("  limits: {memroy: 1G}\n", "4:12: warning: unknown key 'memroy' in limits (did you mean memory?)")]
    [InlineData("  hooks:\n    prestart: /bin/x\n", "5:5: warning: unknown key 'prestart' in hooks (did you mean pre_start?)")]
    [InlineData("  unsafe: {privilegd: true}\n", "4:12: warning: unknown key 'privilegd' in unsafe (did you mean privileged?)")]
    [InlineData("  additional_volumes:\n  - path: /var/vcap/data/x\n    writeable: true\n", "6:5: warning: unknown key 'writeable' in additional_volumes (did you mean writable?)")]
    [InlineData("  unsafe:\n    unrestricted_volumes:\n    - {path: /x, mountonly: true}\n", "6:18: warning: unknown key 'mountonly' in unsafe.unrestricted_volumes (did you mean mount_only?)")]
    public void EachUnknownKeyIsAWarningAtItsPosition(string extra, string expected) =>
        Assert.Equal([$"{File}:{expected}"], Warnings(Head + extra));

    [Fact]
    public void TopLevelKeys() =>
        Assert.Equal(
            [$"{File}:1:1: warning: unknown key 'proceses' at the top level (did you mean processes?)", $"{File}:2:1: warning: unknown key 'processes:' at the top level (did you mean processes?)"],
            Read("proceses: []\n'processes:': 1\nprocesses: []\n").Warnings.Select(w => w.ToString()));

    [Fact]
    public void UnknownKeysChangeNothing()
    {
        var plain = Assert.Single(ConfigParser.Parse(File, Head).Config!.Processes);
        var typo = Read(Head + "  ephemeral_disc: true\n  limits: {memory: 1G, open_file: 5}\n");
        Assert.Empty(typo.Errors);
        var p = Assert.Single(typo.Config!.Processes);
        Assert.False(p.EphemeralDisk);
        Assert.Equal(plain.Limits with { Memory = 1L << 30 }, p.Limits);
    }

    [Fact]
    public void ParseReportsNoWarningsAsErrors()
    {
        var (config, errors) = ConfigParser.Parse(File, Head + "  colour: blue\nother: 1\n");
        Assert.NotNull(config);
        Assert.Empty(errors);
    }

    [Fact]
    public void EveryKnownKeyIsAccepted()
    {
        const string yaml = """
            processes:
            - name: server
              executable: /bin/serve
              args: []
              env: {ANY_NAME: x, colour: y}
              workdir: /var/vcap/jobs/server
              hooks: {pre_start: /bin/setup}
              capabilities: [NET_BIND_SERVICE]
              limits: {memory: 1G, open_files: 1024, processes: 10, core_file_size: 0}
              ephemeral_disk: true
              persistent_disk: true
              additional_volumes:
              - {path: /var/vcap/data/sockets, writable: true, allow_executions: false, mount_only: false, shared: false}
              unsafe:
                privileged: false
                host_pid_namespace: true
                unrestricted_volumes: [{path: /var/vcap/jobs/x, writable: false, allow_executions: false, mount_only: false, shared: false}]
              shutdown_signal: INT
            """;
        Assert.Empty(Warnings(yaml));
    }

    [Fact]
    public void WarningsComeWithTypeErrors()
    {
        var r = ConfigParser.Read(File, Head + "  limits: {memory: lots}\n  colour: blue\n", partial: true);
        Assert.Single(r.Errors);
        Assert.False(r.Errors[0].Warning);
        Assert.DoesNotContain("warning", r.Errors[0].ToString());
        Assert.Single(r.Warnings);
    }

    [Fact]
    public void OddKeysAreQuotedOnOneLine()
    {
        var w = Assert.Single(Warnings(Head + "  \"a\\nb\": 1\n"));
        Assert.EndsWith("unknown key \"a\\nb\"", w);
        var longKey = new string('k', 1000);
        var l = Assert.Single(Warnings(Head + $"  {longKey}: 1\n"));
        Assert.EndsWith($"unknown key '{new string('k', 64)}...'", l);
    }

    [Fact]
    public void MergeKeysAreNamedAsSuch()
    {
        var w = Assert.Single(Warnings("d: &d {name: web}\nprocesses:\n- executable: /bin/web\n  name: web\n  <<: *d\n"), x => x.Contains("'<<'"));
        Assert.Contains("merge keys are not applied", w);
    }

    [Fact]
    public void WarningFormat()
    {
        Assert.Equal("f:3:4: warning: x", new ConfigError("f", 3, 4, "x") { Warning = true }.ToString());
        Assert.Equal("f: warning: x", new ConfigError("f", 0, 0, "x") { Warning = true }.ToString());
        Assert.Equal("f:3:4: x", new ConfigError("f", 3, 4, "x").ToString());
    }

    [Theory]
    [InlineData("ephemeral_disc", "ephemeral_disk")]
    [InlineData("ephemeraldisk", "ephemeral_disk")]
    [InlineData("epehmeral_disk", "ephemeral_disk")] // a swap is one edit
    [InlineData("EXECUTABLE", "executable")]
    [InlineData("executible", "executable")]
    [InlineData("arg", "args")]
    [InlineData("persistant_disk", "persistent_disk")]
    [InlineData("shutdown_signals", "shutdown_signal")]
    [InlineData("capabilites", "capabilities")]
    [InlineData("colour", null)]
    [InlineData("x", null)]
    [InlineData("ephemeral", null)]
    [InlineData("", null)]
    public void NearestKnownKey(string typo, string? expected) => Assert.Equal(expected, NearestName.Of(typo, KnownKeys.Process));

    [Fact]
    public void NearestKeepsWithinAThirdOfTheLength()
    {
        Assert.Equal("memory", NearestName.Of("memry", KnownKeys.Limits));   // 5 letters: 1 edit
        Assert.Null(NearestName.Of("mmry", KnownKeys.Limits));               // 4 letters, 2 edits
        Assert.Equal("open_files", NearestName.Of("opn_fils", KnownKeys.Limits)); // 8 letters: 2 edits
    }
}
