using System.Text.RegularExpressions;

namespace Bpm.IntegrationTests.BeyondTests;

/// <summary>`bpm validate [JOB | --file PATH] [--job NAME]`: every error at once, each with file:line:column.</summary>
public sealed class ValidateTests
{
    private const string ManyErrors = """
        processes:
        - name: web
          executable: ""
          shutdown_signal: KILL
          additional_volumes:
          - path: /var/vcap/data/../x
          - path: /etc/foo
        - name: ""
          executable: /bin/true
        """;

    private const string Valid = """
        processes:
        - name: ok
          executable: /bin/true
        """;

    private static string[] ErrorLines(CommandResult r) => r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static void AssertAllPositioned(CommandResult r, string path)
    {
        var lines = ErrorLines(r);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Matches("^" + Regex.Escape(path) + @":[1-9]\d*:[1-9]\d*: \S", l));
    }

    [Fact]
    public void EveryErrorIsReportedAtOnceWithItsPosition()
    {
        using var root = new BoshRoot();
        var path = root.WriteJob("web", ManyErrors);

        var r = root.Bpm("validate", "web");
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Equal("", r.Stdout);
        AssertAllPositioned(r, path);
        var lines = ErrorLines(r);
        Assert.Equal(5, lines.Length);
        Assert.Contains(lines, l => l.EndsWith(": invalid config: executable", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith(": shutdown signal should either be 'TERM' or 'INT' (or left unspecified), but got 'KILL'", StringComparison.Ordinal));
        Assert.Contains($"{path}:6:5: volume path must be canonical, expected /var/vcap/x but got /var/vcap/data/../x", lines);
        Assert.Contains($"{path}:7:5: invalid volume path: /etc/foo must be within {root.Root}", lines);
        Assert.Contains(lines, l => l.StartsWith($"{path}:8:", StringComparison.Ordinal) && l.EndsWith(": invalid config: name", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryTypeErrorIsReportedAtOnce()
    {
        using var root = new BoshRoot();
        var path = root.WriteJob("typed", """
            processes:
            - name: web
              executable: /bin/true
              limits: {memory: lots}
            - name: w2
              executable: /bin/true
              ephemeral_disk: maybe
            """);

        var r = root.Bpm("validate", "typed");
        Assert.True(r.ExitCode != 0, r.ToString());
        AssertAllPositioned(r, path);
        var lines = ErrorLines(r);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"{path}:4:", lines[0]);
        Assert.Contains("lots", lines[0]);
        Assert.StartsWith($"{path}:7:", lines[1]);
        Assert.Contains("ephemeral_disk", lines[1]);
    }

    [Fact]
    public void TypeErrorsAndValidationErrorsAreReportedTogether()
    {
        using var root = new BoshRoot();
        var path = root.WriteJob("mixed", """
            processes:
            - name: web
              executable: /bin/true
              limits: {memory: lots}
              shutdown_signal: KILL
            """);

        var r = root.Bpm("validate", "mixed");
        Assert.True(r.ExitCode != 0, r.ToString());
        AssertAllPositioned(r, path);
        Assert.Contains("lots", r.Stderr);
        Assert.Contains("but got 'KILL'", r.Stderr);
    }

    [Fact]
    public void ValidJobPrintsOk()
    {
        using var root = new BoshRoot();
        var path = root.WriteJob("ok", Valid);

        var r = root.Bpm("validate", "ok");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"{path}: ok\n", r.Stdout);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public void ValidatesEveryJobWhenNoneIsGiven()
    {
        using var root = new BoshRoot();
        var a = root.WriteJob("a", Valid);
        var b = root.WriteJob("b", ManyErrors);
        var c = root.WriteSleepJob("c");
        Directory.CreateDirectory(root.P("jobs", "noconfig", "bin")); // no bpm.yml: not a bpm job

        var r = root.Bpm("validate");
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Equal($"{a}: ok\n{c}: ok\n", r.Stdout);
        AssertAllPositioned(r, b);
        Assert.Equal(5, ErrorLines(r).Length);
        Assert.DoesNotContain("noconfig", r.Stdout + r.Stderr);

        File.WriteAllText(b, Valid);
        var fixedRun = root.Bpm("validate");
        Assert.True(fixedRun.ExitCode == 0, fixedRun.ToString());
        Assert.Equal($"{a}: ok\n{b}: ok\n{c}: ok\n", fixedRun.Stdout);
        Assert.Equal("", fixedRun.Stderr);
    }

    [Fact]
    public void ValidateTouchesNothing()
    {
        using var root = new BoshRoot();
        root.WriteJob("web", ManyErrors);
        root.WriteSleepJob("fine");

        root.Bpm("validate");
        root.Bpm("validate", "fine");
        Assert.False(Directory.Exists(root.LogDir("web")), "validate created a log dir");
        Assert.False(Directory.Exists(root.LogDir("fine")), "validate created a log dir");
        Assert.False(Directory.Exists(root.P("sys", "run", "bpm")), "validate created the pid dir");
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void FileOutsideAnyRoot()
    {
        using var root = new BoshRoot();
        var dir = Directory.CreateTempSubdirectory("bpm-validate-").FullName;
        try
        {
            var good = Path.Combine(dir, "good.yml");
            File.WriteAllText(good, Valid);
            var bad = Path.Combine(dir, "bad.yml");
            File.WriteAllText(bad, ManyErrors);

            var ok = root.Bpm("validate", "--file", good);
            Assert.True(ok.ExitCode == 0, ok.ToString());
            Assert.Equal($"{good}: ok\n", ok.Stdout);

            var shortFlag = root.Bpm("validate", "-f", good);
            Assert.True(shortFlag.ExitCode == 0, shortFlag.ToString());

            var r = root.Bpm("validate", "--file", bad);
            Assert.True(r.ExitCode != 0, r.ToString());
            AssertAllPositioned(r, bad);
            Assert.Equal(5, ErrorLines(r).Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void JobNameComesFromTheOptionOrThePath()
    {
        using var root = new BoshRoot();
        var dir = Directory.CreateTempSubdirectory("bpm-validate-").FullName;
        try
        {
            // A volume at the job's own data dir is an error only for that job.
            var yaml = $"""
                processes:
                - name: p
                  executable: /bin/true
                  additional_volumes:
                  - path: {root.P("data", "myjob")}
                """;
            var loose = Path.Combine(dir, "bpm.yml");
            File.WriteAllText(loose, yaml);
            var inRelease = Path.Combine(dir, "release", "jobs", "myjob", "config", "bpm.yml");
            Directory.CreateDirectory(Path.GetDirectoryName(inRelease)!);
            File.WriteAllText(inRelease, yaml);

            var other = root.Bpm("validate", "--file", loose, "--job", "other");
            Assert.True(other.ExitCode == 0, other.ToString());

            var mine = root.Bpm("validate", "--file", loose, "--job", "myjob");
            Assert.True(mine.ExitCode != 0, mine.ToString());
            AssertAllPositioned(mine, loose);
            Assert.Contains($"invalid volume path: {root.P("data", "myjob")} cannot conflict with default job data or store directories", mine.Stderr);

            var fromPath = root.Bpm("validate", "--file", inRelease);
            Assert.True(fromPath.ExitCode != 0, fromPath.ToString());
            Assert.Contains("cannot conflict with default job data or store directories", fromPath.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SyntaxErrorCarriesItsPosition()
    {
        using var root = new BoshRoot();
        var path = root.WriteJob("broken", "processes: [\n- name: x\n");

        var r = root.Bpm("validate", "broken");
        Assert.True(r.ExitCode != 0, r.ToString());
        AssertAllPositioned(r, path);
    }

    [Fact]
    public void MissingFileFails()
    {
        using var root = new BoshRoot();
        var missing = root.P("nowhere", "bpm.yml");

        var r = root.Bpm("validate", "--file", missing);
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains(missing, r.Stderr);
        Assert.Equal("", r.Stdout);

        var job = root.Bpm("validate", "ghost");
        Assert.True(job.ExitCode != 0, job.ToString());
        Assert.Contains(root.ConfigPath("ghost"), job.Stderr);
    }
}
