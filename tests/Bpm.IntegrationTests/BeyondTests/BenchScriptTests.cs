using System.Text.RegularExpressions;

namespace Bpm.IntegrationTests.BeyondTests;

/// <summary>
/// scripts/bench, one iteration: it runs every operation against both contenders, reports each
/// row and each target, and leaves no container, cgroup, mount or directory behind. Whether the
/// targets are met is the benchmark's business, not a test's: only that it measured them.
/// </summary>
public sealed partial class BenchScriptTests
{
    private static readonly string[] Operations =
    [
        "start", "pid", "stop", "start+stop", "run /bin/true", "list (50 jobs, 25 up)",
        "20 starts in parallel", "20 stops in parallel", "run throughput",
    ];

    [GeneratedRegex(@"^bench: work dir (/tmp/bpm-bench\.\S+) on (\S+)", RegexOptions.Multiline)]
    private static partial Regex WorkDirLine();

    [GeneratedRegex(@"^  (PASS|FAIL)  ", RegexOptions.Multiline)]
    private static partial Regex TargetLine();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OneIterationMeasuresEverythingAndCleansUp(bool tmpfs)
    {
        string[] args = ["--iterations", "1", "--tp-iterations", "1", "--bpm", BoshRoot.BpmBin];
        if (tmpfs) args = [.. args, "--tmpfs"];
        var r = await BoshRoot.Exec(Path.Combine(BoshRoot.RepoRoot, "scripts", "bench"), args, null, TimeSpan.FromMinutes(3));
        Assert.True(r.ExitCode == 0 && !r.TimedOut, "scripts/bench: " + r);

        var work = WorkDirLine().Match(r.Stdout);
        Assert.True(work.Success, "no work dir line:\n" + r.Stdout);
        var workDir = work.Groups[1].Value;
        if (tmpfs) Assert.Equal("tmpfs", work.Groups[2].Value);
        else Assert.NotEqual("tmpfs", work.Groups[2].Value);

        foreach (var op in Operations)
            Assert.Matches(new Regex("^" + Regex.Escape(op) + @"\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+x$", RegexOptions.Multiline), r.Stdout);
        Assert.Equal(6, TargetLine().Matches(r.Stdout).Count);
        Assert.Matches(@"bench: [0-6]/6 targets met", r.Stdout);

        Assert.Contains("cleanup: 0 container(s) force-deleted at exit", r.Stdout);
        Assert.Contains("this run's bpm-* cgroups left: 0", r.Stdout);
        Assert.DoesNotContain("LEFTOVER", r.Stdout);
        Assert.False(Directory.Exists(workDir), $"{workDir} left behind");
        Assert.DoesNotContain(" " + workDir + " ", File.ReadAllText("/proc/self/mountinfo"));
    }
}
