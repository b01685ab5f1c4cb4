namespace Bpm.IntegrationTests;

public sealed class LogsTests
{
    private static BoshRoot WithLogs(string job = "logger")
    {
        var root = new BoshRoot();
        root.WriteSleepJob(job);
        Directory.CreateDirectory(root.LogDir(job));
        File.WriteAllText(root.StdoutLog(job), string.Join("", Enumerable.Range(1, 30).Select(i => $"out-{i:00}\n")));
        File.WriteAllText(root.StderrLog(job), "err-01\nerr-02\nerr-03\n");
        return root;
    }

    private static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void DefaultIsTheLast25StdoutLines()
    {
        using var root = WithLogs();
        var r = root.Bpm("logs", "logger");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(Enumerable.Range(6, 25).Select(i => $"out-{i:00}"), Lines(r.Stdout).Where(l => l.StartsWith("out-")));
        Assert.DoesNotContain("err-", r.Stdout);
    }

    [Fact]
    public void DashNLimitsLines()
    {
        using var root = WithLogs();
        var r = root.Bpm("logs", "logger", "-n", "3");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(["out-28", "out-29", "out-30"], Lines(r.Stdout).Where(l => l.StartsWith("out-")));
    }

    [Fact]
    public void DashEShowsStderr()
    {
        using var root = WithLogs();
        var r = root.Bpm("logs", "logger", "-e");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(["err-01", "err-02", "err-03"], Lines(r.Stdout).Where(l => !l.StartsWith("==>")));
        Assert.DoesNotContain("out-", r.Stdout);
    }

    [Fact]
    public void DashAShowsBothWithHeadersUnlessQuiet()
    {
        using var root = WithLogs();
        var r = root.Bpm("logs", "logger", "-a", "-n", "2");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("out-29\nout-30\n", r.Stdout);
        Assert.Contains("err-02\nerr-03\n", r.Stdout);
        Assert.Contains("==> ", r.Stdout);
        Assert.Contains("logger.stdout.log", r.Stdout);
        Assert.Contains("logger.stderr.log", r.Stdout);

        var q = root.Bpm("logs", "logger", "-a", "-q", "-n", "2");
        Assert.True(q.ExitCode == 0, q.ToString());
        Assert.DoesNotContain("==>", q.Stdout);
        Assert.Equal(["err-02", "err-03", "out-29", "out-30"], Lines(q.Stdout).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MissingLogsAreReported()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("quiet");
        var r = root.Bpm("logs", "quiet");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.StartsWith("Error: ", r.Stderr);
        Assert.Contains("logs not found", r.Stderr);
    }

    [Fact]
    public void FollowShowsAppendedLines()
    {
        using var root = WithLogs();
        using var follow = root.StartBpm("logs", "logger", "-f", "-n", "1");
        BoshRoot.WaitFor(() => follow.Stdout.Text.Contains("out-30"), TimeSpan.FromSeconds(10), "initial tail");
        Assert.DoesNotContain("out-29", follow.Stdout.Text);
        File.AppendAllText(root.StdoutLog("logger"), "out-31\n");
        BoshRoot.WaitFor(() => follow.Stdout.Text.Contains("out-31"), TimeSpan.FromSeconds(10), "appended line");
        Assert.False(follow.HasExited, "logs -f exited: " + follow.Stderr.Text);
    }

    [Fact]
    public void LogsOfARunShowItsOutput()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("talker", "echo said-this; echo and-that >&2");
        Assert.Equal(0, root.Bpm("run", "talker").ExitCode);
        Assert.Contains("said-this", root.Bpm("logs", "talker").Stdout);
        Assert.Contains("and-that", root.Bpm("logs", "talker", "-e").Stdout);
    }
}
