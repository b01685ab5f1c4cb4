namespace Bpm.IntegrationTests;

public sealed class LimitsTests
{
    private const long SixtyFourMiB = 64L * 1024 * 1024;

    /// <summary>The host path of PID's cgroup in the v1 hierarchy holding CONTROLLER.</summary>
    private static string CgroupDir(int pid, string controller)
    {
        foreach (var line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            var f = line.Split(':', 3);
            if (f.Length == 3 && f[1].Split(',').Contains(controller))
            {
                return "/sys/fs/cgroup/" + f[1] + f[2];
            }
        }
        throw new Xunit.Sdk.XunitException($"pid {pid} has no {controller} cgroup");
    }

    [Fact]
    public void CgroupLimitsAreApplied()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("limited", "limits: {memory: 64M, processes: 50, open_files: 1234}");
        var pid = root.StartRunning("limited");

        var mem = CgroupDir(pid, "memory");
        Assert.EndsWith("/" + CgroupNames.Leaf(root.Root, "bpm-limited"), mem);
        Assert.Equal(SixtyFourMiB, long.Parse(File.ReadAllText(Path.Combine(mem, "memory.limit_in_bytes")).Trim()));
        var memsw = Path.Combine(mem, "memory.memsw.limit_in_bytes");
        if (File.Exists(memsw))
        {
            Assert.Equal(SixtyFourMiB, long.Parse(File.ReadAllText(memsw).Trim()));
        }
        var pids = CgroupDir(pid, "pids");
        Assert.Equal("50", File.ReadAllText(Path.Combine(pids, "pids.max")).Trim());

        var limits = File.ReadAllLines($"/proc/{pid}/limits");
        Assert.Matches(@"^Max open files\s+1234\s+1234\s", limits.Single(l => l.StartsWith("Max open files")));
    }

    [Fact]
    public void RlimitsAreVisibleInside()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("rl", "ulimit -n; cat /proc/self/limits", "limits: {open_files: 2048, core_file_size: 1048576}");
        var r = root.Bpm("run", "rl");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n');
        Assert.Equal("2048", lines[0]);
        Assert.Matches(@"^Max core file size\s+1048576\s+1048576\s+bytes", lines.Single(l => l.StartsWith("Max core file size")));
    }

    [Fact]
    public void ExceedingTheMemoryLimitKillsTheProcess()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("hog", "dd if=/dev/zero of=/dev/null bs=128M count=1 2>/dev/null; echo survived=$?",
            "limits: {memory: 32M}");
        var r = root.Bpm("run", "hog");
        // dd is OOM-killed (SIGKILL): the shell reports 137
        Assert.Contains("survived=137", r.Stdout);
    }

    [Fact]
    public void ProcessLimitCapsForks()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("forker", """
            for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 100 & done
            echo all-forked
            """, "limits: {processes: 8}");
        var r = root.Bpm("run", "forker");
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.DoesNotContain("all-forked", r.Stdout);
    }
}
