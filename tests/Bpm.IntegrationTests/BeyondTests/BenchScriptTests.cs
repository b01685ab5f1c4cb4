using System.Text.RegularExpressions;

namespace Bpm.IntegrationTests.BeyondTests;

/// <summary>
/// scripts/bench, one iteration: it runs every operation against both contenders, reports each
/// row and each target, and leaves no container, cgroup, mount or directory behind. Whether the
/// targets are met is the benchmark's business, not a test's: only that it measured them. The
/// same goes for what bpm-waiter costs: its memory and the start without it are reported, not judged.
/// </summary>
public sealed partial class BenchScriptTests
{
    private static readonly string[] Operations =
    [
        "start", "pid", "stop", "start (no waiter)", "start+stop", "run /bin/true", "list (50 jobs, 25 up)",
        "20 starts in parallel", "20 stops in parallel", "run throughput",
    ];

    [GeneratedRegex(@"^bench: work dir (/tmp/bpm-bench\.\S+) on (\S+)", RegexOptions.Multiline)]
    private static partial Regex WorkDirLine();

    [GeneratedRegex(@"^  (PASS|FAIL)  ", RegexOptions.Multiline)]
    private static partial Regex TargetLine();

    // The default keeps the run's files on the disk under /tmp; the options on a tmpfs, or on a
    // fresh ext4 with a journal.
    [Theory]
    [InlineData(null, null)]
    [InlineData("--tmpfs", "tmpfs")]
    [InlineData("--ext4", "ext4")]
    public async Task OneIterationMeasuresEverythingAndCleansUp(string? option, string? fsType)
    {
        string[] args = ["--iterations", "1", "--tp-iterations", "1", "--bpm", BoshRoot.BpmBin];
        if (option is not null) args = [.. args, option];
        var r = await BoshRoot.Exec(Path.Combine(BoshRoot.RepoRoot, "scripts", "bench"), args, null, TimeSpan.FromMinutes(3));
        Assert.True(r.ExitCode == 0 && !r.TimedOut, "scripts/bench: " + r);

        var work = WorkDirLine().Match(r.Stdout);
        Assert.True(work.Success, "no work dir line:\n" + r.Stdout);
        var workDir = work.Groups[1].Value;
        if (fsType is not null) Assert.Equal(fsType, work.Groups[2].Value);
        else Assert.NotEqual("tmpfs", work.Groups[2].Value);
        if (option == "--ext4") Assert.Contains(", with a journal", r.Stdout);

        foreach (var op in Operations)
            Assert.Matches(new Regex("^" + Regex.Escape(op) + @"\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+x$", RegexOptions.Multiline), r.Stdout);
        Assert.Matches(@"(?m)^bpm-waiter memory per running job \(KiB, median of 25, each asleep in wait4\): VmRSS [0-9]+, PSS [0-9]+, USS [0-9]+ \(Private_Clean\+Private_Dirty\), RssAnon [0-9]+; all 25: PSS [0-9.]+ MiB$", r.Stdout);
        Assert.Matches(@"(?m)^start with the waiter vs without \(medians\): [0-9.]+ ms vs [0-9.]+ ms \([-+][0-9.]+ ms, [0-9.]+x\); raw runc start [0-9.]+ ms: with [0-9.]+x, without [0-9.]+x$", r.Stdout);
        Assert.Equal(6, TargetLine().Matches(r.Stdout).Count);
        Assert.Matches(@"bench: [0-6]/6 targets met", r.Stdout);

        Assert.Contains("cleanup: 0 container(s) force-deleted at exit", r.Stdout);
        Assert.Contains("this run's bpm-* cgroups left: 0", r.Stdout);
        Assert.DoesNotContain("LEFTOVER", r.Stdout);
        Assert.False(Directory.Exists(workDir), $"{workDir} left behind");
        Assert.DoesNotContain(" " + workDir + " ", File.ReadAllText("/proc/self/mountinfo"));
        if (option == "--ext4")
            BoshRoot.WaitFor(() => !BoshRoot.Run("losetup", "-a").Stdout.Contains(workDir + ".ext4"),
                TimeSpan.FromSeconds(10), "the ext4 image's loop device detached");
    }
}
