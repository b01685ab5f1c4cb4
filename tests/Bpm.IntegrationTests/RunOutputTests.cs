using System.Text;

namespace Bpm.IntegrationTests;

// bpm run copies the job's stdout/stderr to the caller and to the log files: every byte, in order,
// to both, whatever the caller's descriptors are, and the log even when the caller goes away.
public sealed class RunOutputTests
{
    // More than bpm's 1 MiB pipe and copy buffer, on both streams at once; every line differs, so a
    // lost, repeated or reordered chunk shows.
    private const string Script = """
        seq 1 400000 &
        seq 500001 900000 >&2
        wait
        exit 7
        """;

    private static readonly string ExpectedOut = Lines(1, 400000);
    private static readonly string ExpectedErr = Lines(500001, 900000);

    private static string Lines(int from, int to)
    {
        var sb = new StringBuilder();
        for (var i = from; i <= to; i++)
        {
            sb.Append(i).Append('\n');
        }
        return sb.ToString();
    }

    // Compares without dumping megabytes into the failure message.
    private static void AssertSame(string expected, string actual, string what)
    {
        if (expected == actual)
        {
            return;
        }
        var i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i])
        {
            i++;
        }
        var context = actual.Substring(Math.Max(0, i - 20), Math.Min(60, actual.Length - Math.Max(0, i - 20)));
        Assert.Fail($"{what}: {actual.Length} chars, expected {expected.Length}; first difference at {i}: ...{context.Replace("\n", "\\n")}...");
    }

    private static void AssertLogsComplete(BoshRoot root, string job)
    {
        AssertSame(ExpectedOut, File.ReadAllText(root.StdoutLog(job)), "stdout log");
        AssertSame(ExpectedErr, File.ReadAllText(root.StderrLog(job)), "stderr log");
    }

    // Runs a command with $BPM, $JOB and $BPM_BOSH_ROOT set.
    private static CommandResult Exec(BoshRoot root, string job, string file, params string[] args) =>
        BoshRoot.Exec(file, args,
            new Dictionary<string, string> { ["BPM_BOSH_ROOT"] = root.Root, ["BPM"] = BoshRoot.BpmBin, ["JOB"] = job },
            BoshRoot.CommandTimeout).GetAwaiter().GetResult();

    private static CommandResult Bash(BoshRoot root, string job, string script) => Exec(root, job, "/bin/bash", "-c", script);

    [Fact]
    public void CallerPipesAndLogsGetEveryByte()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("bulk", Script);

        var r = root.Bpm("run", "bulk");

        Assert.True(r.ExitCode == 7, $"exit {r.ExitCode}");
        AssertSame(ExpectedOut, r.Stdout, "caller's stdout");
        Assert.True(r.Stderr.StartsWith(ExpectedErr, StringComparison.Ordinal), "caller's stderr lacks the job's stderr");
        Assert.Contains("exit status 7", r.Stderr[ExpectedErr.Length..]);
        AssertLogsComplete(root, "bulk");
        Assert.Empty(root.RuncList());
    }

    [Theory]
    [InlineData(">")]
    [InlineData(">>")]
    public void CallerFilesAndLogsGetEveryByte(string redirect)
    {
        using var root = new BoshRoot();
        root.WriteShellJob("tofile", Script);
        var outFile = root.P("caller.out");
        var errFile = root.P("caller.err");
        File.WriteAllText(outFile, "before\n");

        var r = Bash(root, "tofile", $"\"$BPM\" run \"$JOB\" {redirect}'{outFile}' 2>'{errFile}'; echo status=$?");

        Assert.True(r.Stdout == "status=7\n", r.ToString());
        AssertSame((redirect == ">>" ? "before\n" : "") + ExpectedOut, File.ReadAllText(outFile), "caller's stdout file");
        var err = File.ReadAllText(errFile);
        Assert.True(err.StartsWith(ExpectedErr, StringComparison.Ordinal), "caller's stderr file lacks the job's stderr");
        AssertLogsComplete(root, "tofile");
    }

    [Theory]
    [InlineData("| head -c 10 >/dev/null")] // the reader goes away early: writes to it fail with EPIPE
    [InlineData(">&-")]                     // no stdout at all
    [InlineData(">/dev/null")]
    public void LogsAreCompleteWhenTheCallerKeepsNoOutput(string redirect)
    {
        using var root = new BoshRoot();
        root.WriteShellJob("gone", Script);
        var errFile = root.P("caller.err");

        var r = Bash(root, "gone", $"\"$BPM\" run \"$JOB\" 2>'{errFile}' {redirect}; echo status=${{PIPESTATUS[0]}}");

        Assert.True(r.Stdout == "status=7\n", r.ToString());
        // The caller's stderr is unaffected by what happened to its stdout.
        var err = File.ReadAllText(errFile);
        Assert.True(err.StartsWith(ExpectedErr, StringComparison.Ordinal), "caller's stderr lacks the job's stderr");
        Assert.Contains("exit status 7", err[ExpectedErr.Length..]);
        AssertLogsComplete(root, "gone");
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void NonBlockingCallerPipeGetsEveryByte()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("nonblock", Script);
        // Whoever shares a pipe may set O_NONBLOCK on it; bpm then sees EAGAIN whenever it is full.
        const string relay = """
            import os, subprocess, sys
            r, w = os.pipe()
            os.set_blocking(w, False)
            p = subprocess.Popen([sys.argv[1], "run", sys.argv[2]], stdout=w, stderr=subprocess.DEVNULL)
            os.close(w)
            while True:
                b = os.read(r, 65536)
                if not b:
                    break
                sys.stdout.buffer.write(b)
            sys.stdout.buffer.flush()
            sys.exit(p.wait())
            """;

        var r = Exec(root, "nonblock", "/usr/bin/python3", "-c", relay, BoshRoot.BpmBin, "nonblock");

        Assert.True(r.ExitCode == 7, $"exit {r.ExitCode}: {r.Stderr}");
        AssertSame(ExpectedOut, r.Stdout, "caller's non-blocking stdout");
        AssertLogsComplete(root, "nonblock");
    }
}
