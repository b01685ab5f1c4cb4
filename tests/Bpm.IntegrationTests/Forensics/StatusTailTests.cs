using Bpm.IntegrationTests.Hardening;

namespace Bpm.IntegrationTests.Forensics;

/// <summary>`bpm status` ends with the last lines of the process's logs, opened as bpm logs opens them.</summary>
public sealed class StatusTailTests
{
    private const string Job = "chatty";

    private static void StartChattyJob(BoshRoot root)
    {
        root.WriteShellJob(Job, """
            i=1
            while [ $i -le 12 ]; do echo out-$i; echo err-$i >&2; i=$((i + 1)); done
            exec sleep 1000
            """);
        root.StartRunning(Job);
        BoshRoot.WaitFor(() => File.ReadAllText(root.StdoutLog(Job)).Contains("out-12\n") &&
            File.ReadAllText(root.StderrLog(Job)).Contains("err-12\n"), "the job's output");
    }

    private static string Tail(BoshRoot root, int first) =>
        $"\n==> {root.StdoutLog(Job)} <==\n" + string.Concat(Enumerable.Range(first, 13 - first).Select(i => $"out-{i}\n")) +
        $"\n==> {root.StderrLog(Job)} <==\n" + string.Concat(Enumerable.Range(first, 13 - first).Select(i => $"err-{i}\n"));

    /// <summary>The status table: every line up to the first empty one.</summary>
    private static string Table(string stdout) => stdout.Split("\n\n")[0];

    [Theory]
    [InlineData(new[] { "-n", "3" }, 10)]
    [InlineData(new[] { "--lines", "3" }, 10)]
    [InlineData(new string[0], 3)]
    public void StatusEndsWithTheLastLinesOfBothLogs(string[] option, int first)
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        StartChattyJob(root);

        var r = root.Bpm(["status", Job, .. option]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr);
        Assert.EndsWith(Tail(root, first), r.Stdout);
        Assert.Equal(r.Stdout.Length, Table(r.Stdout).Length + Tail(root, first).Length + 1);
        Assert.Matches(@"^job: +chatty\n(.+\n)*[^\n]+$", Table(r.Stdout));
        Assert.Matches(@"(?m)^state: +running$", Table(r.Stdout));
    }

    [Fact]
    public void NoLinesShowsTheTableAlone()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        StartChattyJob(root);

        var r = root.Bpm("status", Job, "-n", "0");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr);
        Assert.DoesNotContain("==>", r.Stdout);
        Assert.DoesNotContain("out-", r.Stdout);
        Assert.DoesNotContain("err-", r.Stdout);
        Assert.DoesNotContain("\n\n", r.Stdout);
        Assert.Matches(@"(?m)^state: +running\n", r.Stdout);
    }

    [Fact]
    public void ANegativeCountIsRefused()
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        StartChattyJob(root);
        var r = root.Bpm("status", Job, "-n", "-1");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Equal("", r.Stdout);
        Assert.Contains("must not be negative", r.Stderr);
    }

    [Theory]
    [InlineData("symlink to /etc/shadow", "refusing to open symlink at")]
    [InlineData("fifo", "refusing to open non-regular file at")]
    public void APlantedStdoutLogIsNotFollowed(string kind, string message)
    {
        using var root = new BoshRoot();
        using var ours = new RootProcesses(root);
        var log = $"/var/vcap/sys/log/{Job}/{Job}.stdout.log";
        var plant = kind == "fifo" ? $"mkfifo {log}" : $"ln -s /etc/shadow {log}";
        root.WriteShellJob(Job, $"""
            echo before-the-plant
            rm -f {log}
            {plant}
            echo planted > /var/vcap/sys/log/{Job}/planted
            exec sleep 1000
            """);
        root.StartRunning(Job);
        BoshRoot.WaitFor(() => File.Exists(Path.Combine(root.LogDir(Job), "planted")), "the job to plant its log");

        var r = Hx.BpmWithin(root, TimeSpan.FromSeconds(20), "status", Job);
        Assert.False(r.TimedOut, "status hung on the planted log: " + r);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"(?m)^state: +running$", r.Stdout);
        Assert.Equal($"Error: {message} {root.StdoutLog(Job)}\n", r.Stderr);
        foreach (var line in File.ReadAllLines("/etc/shadow").Where(l => l.Length > 0))
        {
            Assert.DoesNotContain(line, r.Stdout);
        }
    }
}
