using System.Text;

namespace Bpm.IntegrationTests;

/// <summary>
/// `bpm logs` and `bpm trace` as foreground tools: every requested file must be there, signals
/// reach tail and strace and bpm leaves nothing running behind it, and what a job leaves at its
/// log names (links, FIFOs, escape sequences) cannot turn root's tail against the operator.
/// </summary>
public sealed class LogsFidelityTests
{
    private const string Job = "fid";

    private static BoshRoot WithLogs()
    {
        var root = new BoshRoot();
        root.WriteSleepJob(Job);
        Directory.CreateDirectory(root.LogDir(Job));
        File.WriteAllText(root.StdoutLog(Job), "out-1\nout-2\n");
        File.WriteAllText(root.StderrLog(Job), "err-1\nerr-2\n");
        return root;
    }

    private static Dictionary<string, string> Env(BoshRoot root) => new() { ["BPM_BOSH_ROOT"] = root.Root };

    // ------------------------------------------------------------ missing files

    [Theory]
    [InlineData("stdout")]
    [InlineData("stderr")]
    public void AllWithOneFileMissingIsLogsNotFound(string missing)
    {
        using var root = WithLogs();
        File.Delete(missing == "stdout" ? root.StdoutLog(Job) : root.StderrLog(Job));
        var r = root.Bpm("logs", Job, "-a");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Equal("Error: logs not found\n", r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    // ------------------------------------------------------------ signals

    /// <summary>
    /// Starts bpm (through `env --default-signal`, so that a test host started with SIGINT
    /// ignored, as a background job is, does not pass that on), waits for its helper.
    /// </summary>
    private static (TreeCommand Bpm, List<int> Helpers) StartWithHelper(BoshRoot root, params string[] args)
    {
        var cmd = new TreeCommand("env", ["--default-signal", BoshRoot.BpmBin, .. args], Env(root));
        List<int> helpers = [];
        BoshRoot.WaitFor(() => (helpers = cmd.Descendants()).Count > 0, TimeSpan.FromSeconds(20), "bpm's helper to start");
        return (cmd, helpers);
    }

    private static void AssertExitsWithNothingLeft(TreeCommand cmd, List<int> helpers)
    {
        Assert.True(cmd.WaitForExit(TimeSpan.FromSeconds(10)), "bpm did not exit after the signal: " + cmd.Stderr.Text);
        // A helper holding bpm's stdout would keep a harness reading it waiting forever.
        Assert.True(cmd.Stdout.Completion.Wait(TimeSpan.FromSeconds(10)), "bpm's stdout is still open: a child kept it");
        BoshRoot.WaitFor(() => !helpers.Any(ProcessTree.Alive), TimeSpan.FromSeconds(5),
            "bpm's helpers to exit: " + string.Join(" ", helpers.Where(ProcessTree.Alive)));
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    [InlineData("HUP")]
    [InlineData("QUIT")]
    public void LogsFollowForwardsSignalsToTail(string signal)
    {
        using var root = WithLogs();
        var (bpm, tails) = StartWithHelper(root, "logs", Job, "-a", "-f");
        using (bpm)
        {
            BoshRoot.WaitFor(() => bpm.Stdout.Text.Contains("err-2"), TimeSpan.FromSeconds(10), "initial lines");
            // Only bpm is signalled: its tails hear of it from bpm or not at all.
            Assert.Equal(0, BoshRoot.Run("kill", "-s", signal, bpm.Pid.ToString()).ExitCode);
            AssertExitsWithNothingLeft(bpm, tails);
            Assert.NotEqual(0, bpm.ExitCode);
        }
    }

    [Fact]
    public void LogsFollowLeavesNoTailWhenKilledOutright()
    {
        using var root = WithLogs();
        var (bpm, tails) = StartWithHelper(root, "logs", Job, "-f");
        using (bpm)
        {
            Assert.Equal(0, BoshRoot.Run("kill", "-s", "KILL", bpm.Pid.ToString()).ExitCode);
            AssertExitsWithNothingLeft(bpm, tails);
        }
    }

    // `timeout` signals its whole process group; with --foreground only bpm.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TimeoutEndsLogsFollow(bool foreground)
    {
        using var root = WithLogs();
        using var cmd = new TreeCommand("timeout", [.. foreground ? new[] { "--foreground" } : [], "2", BoshRoot.BpmBin, "logs", Job, "-f"], Env(root));
        List<int> below = [];
        BoshRoot.WaitFor(() => (below = cmd.Descendants()).Count >= 2, TimeSpan.FromSeconds(10), "bpm and its tail");
        AssertExitsWithNothingLeft(cmd, below);
        Assert.Equal(124, cmd.ExitCode);
        Assert.Contains("out-2", cmd.Stdout.Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TimeoutEndsTraceAndTheProcessRunsOn(bool foreground)
    {
        using var root = new BoshRoot();
        root.WriteShellJob(Job, "while :; do sleep 0.1; done");
        int pid = root.StartRunning(Job);
        using var cmd = new TreeCommand("timeout", [.. foreground ? new[] { "--foreground" } : [], "2", BoshRoot.BpmBin, "trace", Job], Env(root));
        List<int> below = [];
        BoshRoot.WaitFor(() => (below = cmd.Descendants()).Count >= 2, TimeSpan.FromSeconds(10), "bpm and its strace");
        AssertExitsWithNothingLeft(cmd, below);
        Assert.Equal(124, cmd.ExitCode);
        Assert.Equal("running", root.RuncStatus(BoshRoot.ContainerId(Job)));
        Assert.True(ProcessTree.Alive(pid));
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public void TraceExitsZeroWhenInterrupted(string signal)
    {
        using var root = new BoshRoot();
        root.WriteShellJob(Job, "while :; do sleep 0.1; done");
        root.StartRunning(Job);
        var (bpm, straces) = StartWithHelper(root, "trace", Job);
        using (bpm)
        {
            // strace reports attaching once it has; then it is tracing.
            BoshRoot.WaitFor(() => bpm.Stderr.Text.Contains("attached"), TimeSpan.FromSeconds(10), "strace to attach");
            Assert.Equal(0, BoshRoot.Run("kill", "-s", signal, bpm.Pid.ToString()).ExitCode);
            AssertExitsWithNothingLeft(bpm, straces);
            Assert.Equal(0, bpm.ExitCode);
        }
        Assert.Equal("running", root.RuncStatus(BoshRoot.ContainerId(Job)));
    }

    // ------------------------------------------------------------ planted files

    /// <summary>The job, as vcap inside its container, replaces its stdout log with KIND.</summary>
    private static string Plant(BoshRoot root, string kind, string secret)
    {
        var log = $"/var/vcap/sys/log/{Job}/{Job}.stdout.log";
        var plant = kind switch
        {
            "symlink to a root-only file" => $"ln -s {secret} {log}",
            "symlink to /dev/zero" => $"ln -s /dev/zero {log}",
            "fifo" => $"mkfifo {log}",
            _ => throw new ArgumentException(kind),
        };
        root.WriteShellJob(Job, $"""
            rm -f {log}
            {plant}
            echo planted > /var/vcap/sys/log/{Job}/planted
            exec sleep 1000
            """);
        root.StartRunning(Job);
        BoshRoot.WaitFor(() => File.Exists(Path.Combine(root.LogDir(Job), "planted")), "the job to plant its log");
        return root.StdoutLog(Job);
    }

    [Theory]
    [InlineData("symlink to a root-only file", "refusing to open symlink at")]
    [InlineData("symlink to /dev/zero", "refusing to open symlink at")]
    [InlineData("fifo", "refusing to open non-regular file at")]
    public async Task PlantedLogIsRefused(string kind, string message)
    {
        using var root = new BoshRoot();
        var secretDir = root.P("root-only");
        Directory.CreateDirectory(secretDir);
        File.SetUnixFileMode(secretDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var secret = Path.Combine(secretDir, "secret");
        var token = "secret-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(secret, token + "\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var log = Plant(root, kind, secret);
        foreach (var args in new[] { new[] { "logs", Job }, ["logs", Job, "-a"], ["logs", Job, "-f"] })
        {
            var r = await BoshRoot.Exec(BoshRoot.BpmBin, args, Env(root), TimeSpan.FromSeconds(20));
            Assert.False(r.TimedOut, $"{string.Join(' ', args)} hung: " + r);
            Assert.True(r.ExitCode == 1, r.ToString());
            Assert.Equal($"Error: {message} {log}\n", r.Stderr);
            Assert.DoesNotContain(token, r.Stdout);
        }
        // The other log is untouched by the plant and still shows.
        Assert.Equal(0, root.Bpm("logs", Job, "-e").ExitCode);
    }

    // ------------------------------------------------------------ escape sequences

    private const string Colored = "\e[31mred\e[0m \e]0;title\a\rdone\n";

    [Fact]
    public void EscapeSequencesPassThroughToAPipe()
    {
        using var root = WithLogs();
        File.WriteAllText(root.StdoutLog(Job), Colored);
        var r = root.Bpm("logs", Job);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(Colored, r.Stdout);
    }

    [Fact]
    public async Task EscapeSequencesAreShownOnATerminal()
    {
        using var root = WithLogs();
        File.WriteAllText(root.StdoutLog(Job), Colored);
        // script(1) gives bpm a terminal for its stdout and copies what it shows.
        var r = await BoshRoot.Exec("script", ["-qec", $"{BoshRoot.BpmBin} logs {Job}", "/dev/null"], Env(root), TimeSpan.FromSeconds(30));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("\e", r.Stdout);
        Assert.DoesNotContain("\a", r.Stdout);
        Assert.Contains("^[[31mred^[[0m ^[]0;title^G^Mdone", r.Stdout);
    }

    // ------------------------------------------------------------ headers and following

    [Fact]
    public void FollowingBothNamesTheRealFileAtEachSwitch()
    {
        using var root = WithLogs();
        var (bpm, _) = StartWithHelper(root, "logs", Job, "-a", "-f", "-n", "1");
        using (bpm)
        {
            var o = root.StdoutLog(Job);
            var e = root.StderrLog(Job);
            var start = $"==> {o} <==\nout-2\n\n==> {e} <==\nerr-2\n";
            BoshRoot.WaitFor(() => bpm.Stdout.Text == start, TimeSpan.FromSeconds(10), "the last line of each: " + bpm.Stdout.Text);
            File.AppendAllText(o, "out-3\n");
            BoshRoot.WaitFor(() => bpm.Stdout.Text.Contains("out-3"), TimeSpan.FromSeconds(10), "out-3");
            File.AppendAllText(e, "err-3\n");
            BoshRoot.WaitFor(() => bpm.Stdout.Text.Contains("err-3"), TimeSpan.FromSeconds(10), "err-3");
            Assert.Equal(start + $"\n==> {o} <==\nout-3\n\n==> {e} <==\nerr-3\n", bpm.Stdout.Text);
            Assert.DoesNotContain("/proc/self/fd", bpm.Stderr.Text);
        }
    }

    [Fact]
    public void ASymlinkPlantedWhileFollowingIsNotFollowed()
    {
        using var root = WithLogs();
        var secret = root.P("secret");
        var token = "secret-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(secret, token + "\n");
        var (bpm, _) = StartWithHelper(root, "logs", Job, "-f");
        using (bpm)
        {
            BoshRoot.WaitFor(() => bpm.Stdout.Text.Contains("out-2"), TimeSpan.FromSeconds(10), "initial lines");
            var log = root.StdoutLog(Job);
            File.Move(log, log + ".old");
            File.CreateSymbolicLink(log, secret);
            File.AppendAllText(log + ".old", "out-3\n");
            BoshRoot.WaitFor(() => bpm.Stdout.Text.Contains("out-3"), TimeSpan.FromSeconds(10), "the line appended to the opened file");
            Assert.DoesNotContain(token, bpm.Stdout.Text);
        }
    }
}
