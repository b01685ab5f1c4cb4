namespace Bpm.IntegrationTests.Hardening;

/// <summary>
/// A job grows its own log to 100 GB of zeros (sparse: `truncate -s`, from inside its container)
/// and writes a few lines after them. `bpm logs -n N` reads back from the end, a bounded amount
/// per line, so it answers at once; tail, reading a whole "line" of 100 GB for the lines it lacks,
/// ran until it was killed. A command deadline of 10 s is the failure.
/// </summary>
public sealed class LogTailTests
{
    private const string Job = "sparse";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private const int MaxLine = 1 << 20;

    /// <summary>The job grows its stdout (and stderr) log to 100 GB and then prints OUT (ERR) lines.</summary>
    private static void Grow(BoshRoot root, string[] outLines, string[] errLines)
    {
        var log = $"/var/vcap/sys/log/{Job}/{Job}";
        root.WriteShellJob(Job, $"""
            truncate -s 100G {log}.stdout.log {log}.stderr.log || exit 1
            {string.Concat(outLines.Select(l => $"echo {l}\n"))}
            {string.Concat(errLines.Select(l => $"echo {l} >&2\n"))}
            """);
        var r = root.Bpm("run", Job);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(new FileInfo(root.StdoutLog(Job)).Length > 100L << 30, "the job did not grow its log");
    }

    private static CommandResult Logs(BoshRoot root, params string[] args)
    {
        var r = Hx.BpmWithin(root, Deadline, ["logs", Job, .. args]);
        Assert.False(r.TimedOut, "bpm logs read the whole file: " + r.ToString()[..Math.Min(r.ToString().Length, 400)]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r;
    }

    [Fact]
    public void FewerLinesThanAskedForAfter100GBAnswerAtOnce()
    {
        using var root = new BoshRoot();
        Grow(root, ["a", "b", "c"], []);
        var r = Logs(root, "-n", "5");
        // The first "line" is 100 GB of zeros and "a": it is shown by its last MiB.
        Assert.EndsWith("\0a\nb\nc\n", r.Stdout);
        Assert.Equal(MaxLine + 4, r.Stdout.Length);
        Assert.Equal(MaxLine - 2, r.Stdout.Count(c => c == '\0'));
    }

    [Fact]
    public void TheLastLinesOf100GBAreExact()
    {
        using var root = new BoshRoot();
        Grow(root, ["l1", "l2", "l3", "l4", "l5", "l6", "l7"], ["e1", "e2", "e3"]);
        Assert.Equal("l3\nl4\nl5\nl6\nl7\n", Logs(root, "-n", "5").Stdout);
        Assert.Equal("e2\ne3\n", Logs(root, "-e", "-n", "2").Stdout);
        Assert.Equal($"==> {root.StdoutLog(Job)} <==\nl6\nl7\n\n==> {root.StderrLog(Job)} <==\ne2\ne3\n", Logs(root, "-a", "-n", "2").Stdout);
        Assert.Equal("l7\ne3\n", Logs(root, "-a", "-q", "-n", "1").Stdout);
    }

    [Fact]
    public void FollowingStartsAtTheEndOf100GB()
    {
        using var root = new BoshRoot();
        Grow(root, ["l1", "l2", "l3"], []);
        using var follow = root.StartBpm("logs", Job, "-f", "-n", "2");
        BoshRoot.WaitFor(() => follow.Stdout.Text.Contains("l3\n"), Deadline, "the last lines");
        File.AppendAllText(root.StdoutLog(Job), "l4\n");
        BoshRoot.WaitFor(() => follow.Stdout.Text.Contains("l4\n"), Deadline, "the appended line");
        Assert.Equal("l2\nl3\nl4\n", follow.Stdout.Text);
        Assert.False(follow.HasExited, "logs -f exited: " + follow.Stderr.Text);
    }
}
