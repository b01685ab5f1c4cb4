using System.Text.RegularExpressions;

namespace Bpm.IntegrationTests;

public sealed class ConfigErrorTests
{
    private const string BrokenYaml = """
        processes:
        - name: broken
          executable: /bin/true
          args: [unclosed, "list"
          env: {A: B}
        """;

    private static void AssertCleanError(CommandResult r)
    {
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.StartsWith("Error: ", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.DoesNotContain("Exception", r.Stderr);
    }

    [Theory]
    [InlineData("start")]
    [InlineData("run")]
    public void BrokenYamlIsReportedWithPosition(string command)
    {
        using var root = new BoshRoot();
        var path = root.WriteJob("broken", BrokenYaml);
        var r = root.Bpm(command, "broken");
        AssertCleanError(r);
        Assert.Contains("bpm.yml", r.Stderr);
        Assert.Contains(path, r.Stderr);
        Assert.Matches(new Regex(@"\d+:\d+|line \d+,? col(umn)? \d+", RegexOptions.IgnoreCase), r.Stderr);
        if (command == "start")
        {
            Assert.Contains("failed to parse job configuration", r.Stderr);
        }
        Assert.Empty(root.RuncList());
    }

    [Theory]
    [InlineData("processes:\n- name: broken\n  executable: [a\n", 4)]
    [InlineData("processes: {\n", 2)]
    [InlineData("processes:\n- name: broken\n  executable: /bin/true\n   bad-indent: x\n", 4)]
    public void YamlSyntaxErrorsCarryTheirLine(string yaml, int line)
    {
        using var root = new BoshRoot();
        var path = root.WriteJob("broken", yaml);
        var r = root.Bpm("start", "broken");
        AssertCleanError(r);
        Assert.Contains("failed to parse job configuration", r.Stderr);
        Assert.Contains($"{path}:{line}:", r.Stderr);
    }

    [Theory]
    [InlineData("start")]
    [InlineData("run")]
    public void MissingConfigIsReported(string command)
    {
        using var root = new BoshRoot();
        var r = root.Bpm(command, "ghost");
        AssertCleanError(r);
        Assert.Contains("bpm.yml", r.Stderr);
    }

    // stop, pid, shell and trace go by the names alone: an undefined process is simply not running.
    [Theory]
    [InlineData("start")]
    [InlineData("run")]
    public void UnknownProcessIsReported(string command)
    {
        using var root = new BoshRoot();
        var path = root.WriteSleepJob("known");
        var r = root.Bpm(command, "known", "-p", "nope");
        AssertCleanError(r);
        Assert.Contains($"process \"nope\" not present in job configuration ({path})", r.Stderr);
    }

    [Theory]
    [InlineData("start")]
    [InlineData("stop")]
    [InlineData("run")]
    [InlineData("pid")]
    [InlineData("logs")]
    [InlineData("shell")]
    [InlineData("trace")]
    public void MissingJobIsReported(string command)
    {
        using var root = new BoshRoot();
        var r = root.Bpm(command);
        AssertCleanError(r);
        Assert.Contains("must specify a job", r.Stderr);
    }

    public static TheoryData<string, string> InvalidConfigs => new()
    {
        { "processes:\n- name: \"\"\n  executable: /bin/true\n", "invalid config: name" },
        { "processes:\n- name: bad\n  executable: \"\"\n", "invalid config: executable" },
        { "processes:\n- name: bad\n  executable: /bin/true\n  shutdown_signal: KILL\n",
            "shutdown signal should either be 'TERM' or 'INT' (or left unspecified), but got 'KILL'" },
        { "processes:\n- name: bad\n  executable: /bin/true\n  additional_volumes:\n  - path: ROOT/data/x/../vol\n",
            "volume path must be canonical, expected ROOT/data/vol but got ROOT/data/x/../vol" },
        { "processes:\n- name: bad\n  executable: /bin/true\n  additional_volumes:\n  - path: ROOT/data/bad\n",
            "invalid volume path: ROOT/data/bad cannot conflict with default job data or store directories" },
        { "processes:\n- name: bad\n  executable: /bin/true\n  additional_volumes:\n  - path: ROOT/store/bad\n",
            "invalid volume path: ROOT/store/bad cannot conflict with default job data or store directories" },
        { "processes:\n- name: bad\n  executable: /bin/true\n  additional_volumes:\n  - path: /etc/bpm-vol\n",
            "invalid volume path: /etc/bpm-vol must be within ROOT" },
        { "processes:\n- name: bad\n  executable: /bin/true\n  additional_volumes:\n  - path: ROOT\n",
            "invalid volume path: ROOT must be within ROOT" },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigs))]
    public void InvalidConfigIsRejected(string yaml, string message)
    {
        using var root = new BoshRoot();
        // Volume paths are host paths under the root bpm uses (ROOT stands for it).
        root.WriteJob("bad", yaml.Replace("ROOT", root.Root));
        var r = root.Bpm("start", "bad");
        AssertCleanError(r);
        Assert.Contains(message.Replace("ROOT", root.Root), r.Stderr);
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void PersistentDiskMustExist()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("disk", "persistent_disk: true");
        var r = root.Bpm("start", "disk");
        AssertCleanError(r);
        Assert.Contains("requested persistent disk does not exist", r.Stderr);
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void ListSkipsInvalidConfigs()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("good");
        root.WriteJob("broken", BrokenYaml);
        var r = root.Bpm("list");
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.StartsWith("invalid config for broken: ", r.Stderr);
        var rows = BoshRoot.ParseList(r.Stdout);
        Assert.Equal([new ListRow("good", "-", "stopped")], rows);
    }
}
