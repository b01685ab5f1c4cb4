using Bpm.Status;
using Xunit;

namespace Bpm.Tests;

// The v1 contents were captured from a host with cgroup v1 (one hierarchy per controller) while
// bpm ran a container with limits {memory: 64M, processes: 50}, and from a second one
// (memory: 30M, no process limit) after python3 had been OOM-killed in it. The v2 contents are
// the unified-hierarchy files of a kernel 6.x host, as the kernel writes them.
public class CgroupReaderTests
{
    // ------------------------------------------------------------------ captured v1: running

    private static readonly Dictionary<string, string> V1Running = new()
    {
        ["memory/memory.usage_in_bytes"] = "1101824\n",
        ["memory/memory.max_usage_in_bytes"] = "3559424\n",
        ["memory/memory.limit_in_bytes"] = "67108864\n",
        ["memory/memory.memsw.limit_in_bytes"] = "67108864\n",
        ["memory/memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n",
        ["pids/pids.current"] = "3\n",
        ["pids/pids.max"] = "50\n",
        ["cpuacct/cpuacct.usage"] = "43308116\n",
    };

    // ------------------------------------------------------------------ captured v1: OOM-killed

    private static readonly Dictionary<string, string> V1OomKilled = new()
    {
        ["memory/memory.usage_in_bytes"] = "81920\n",
        ["memory/memory.max_usage_in_bytes"] = "31457280\n",
        ["memory/memory.limit_in_bytes"] = "31457280\n",
        ["memory/memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n",
        ["pids/pids.current"] = "0\n",
        ["pids/pids.max"] = "max\n",
        ["cpuacct/cpuacct.usage"] = "46524358\n",
    };

    // ------------------------------------------------------------------ v1: no limits
    // The limit files were captured from the containers' parent cgroup (the kernel writes
    // "unlimited" as a page-aligned LONG_MAX, and pids.max as "max"); the usage figures are made up.

    private static readonly Dictionary<string, string> V1Unlimited = new()
    {
        ["memory/memory.usage_in_bytes"] = "524288\n",
        ["memory/memory.max_usage_in_bytes"] = "1048576\n",
        ["memory/memory.limit_in_bytes"] = "9223372036854771712\n",
        ["memory/memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n",
        ["pids/pids.current"] = "1\n",
        ["pids/pids.max"] = "max\n",
        ["cpuacct/cpuacct.usage"] = "0\n",
    };

    // ------------------------------------------------------------------ v2

    private const string V2CpuStat =
        "usage_usec 43308\n" +
        "user_usec 30122\n" +
        "system_usec 13186\n" +
        "core_sched.force_idle_usec 0\n" +
        "nr_periods 0\n" +
        "nr_throttled 0\n" +
        "throttled_usec 0\n" +
        "nr_bursts 0\n" +
        "burst_usec 0\n";

    private static readonly Dictionary<string, string> V2Running = new()
    {
        ["memory.current"] = "1101824\n",
        ["memory.peak"] = "3559424\n",
        ["memory.max"] = "67108864\n",
        ["memory.swap.max"] = "67108864\n",
        ["memory.events"] = "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
        ["pids.current"] = "3\n",
        ["pids.max"] = "50\n",
        ["cpu.stat"] = V2CpuStat,
    };

    // "oom" (times the limit was hit) and "oom_kill" (processes killed) differ on purpose.
    private static readonly Dictionary<string, string> V2OomKilled = new()
    {
        ["memory.current"] = "0\n",
        ["memory.peak"] = "31457280\n",
        ["memory.max"] = "31457280\n",
        ["memory.events"] = "low 0\nhigh 0\nmax 97\noom 3\noom_kill 2\noom_group_kill 0\n",
        ["pids.current"] = "0\n",
        ["pids.max"] = "max\n",
        ["cpu.stat"] = "usage_usec 1500000\nuser_usec 1200000\nsystem_usec 300000\n",
    };

    private static readonly Dictionary<string, string> V2Unlimited = new()
    {
        ["memory.current"] = "524288\n",
        ["memory.max"] = "max\n",
        ["memory.events"] = "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
        ["pids.current"] = "1\n",
        ["pids.max"] = "max\n",
        ["cpu.stat"] = "usage_usec 0\nuser_usec 0\nsystem_usec 0\n",
    };

    private static CgroupStats V1(Dictionary<string, string> files) =>
        CgroupV1Reader.Read((controller, file) => files.GetValueOrDefault(controller + "/" + file));

    private static CgroupStats V2(Dictionary<string, string> files) =>
        CgroupV2Reader.Read(file => files.GetValueOrDefault(file));

    // ------------------------------------------------------------------ v1

    [Fact]
    public void V1RunningContainer()
    {
        var s = V1(V1Running);
        Assert.Equal(1101824, s.MemoryBytes);
        Assert.Equal(3559424, s.MemoryPeakBytes);
        Assert.Equal(64L * 1024 * 1024, s.MemoryLimitBytes);
        Assert.Equal(3, s.Pids);
        Assert.Equal(50, s.PidsLimit);
        Assert.NotNull(s.CpuSeconds);
        Assert.Equal(0.043308116, s.CpuSeconds!.Value, 9);
        Assert.Equal(0, s.OomKills);
    }

    [Fact]
    public void V1OomKilledContainer()
    {
        var s = V1(V1OomKilled);
        Assert.Equal(81920, s.MemoryBytes);
        Assert.Equal(30L * 1024 * 1024, s.MemoryPeakBytes);
        Assert.Equal(30L * 1024 * 1024, s.MemoryLimitBytes);
        Assert.Equal(0, s.Pids);
        Assert.Null(s.PidsLimit); // "max"
        Assert.Equal(0.046524358, s.CpuSeconds!.Value, 9);
        Assert.Equal(1, s.OomKills);
    }

    [Fact]
    public void V1UnlimitedMemoryAndPidsAreNull()
    {
        var s = V1(V1Unlimited);
        Assert.Null(s.MemoryLimitBytes);
        Assert.Null(s.PidsLimit);
        Assert.Equal(524288, s.MemoryBytes);
        Assert.Equal(0.0, s.CpuSeconds);
        Assert.Equal(0, s.OomKills);
    }

    [Fact]
    public void V1ReadsEachFigureFromItsController()
    {
        var asked = new List<string>();
        CgroupV1Reader.Read((controller, file) =>
        {
            asked.Add(controller + "/" + file);
            return null;
        });
        Assert.Contains("memory/memory.usage_in_bytes", asked);
        Assert.Contains("memory/memory.max_usage_in_bytes", asked);
        Assert.Contains("memory/memory.limit_in_bytes", asked);
        Assert.Contains("memory/memory.oom_control", asked);
        Assert.Contains("pids/pids.current", asked);
        Assert.Contains("pids/pids.max", asked);
        Assert.Contains("cpuacct/cpuacct.usage", asked);
    }

    [Fact]
    public void V1MissingFilesGiveNulls()
    {
        var s = V1([]);
        Assert.Equal(new CgroupStats(), s);
    }

    [Fact]
    public void V1OldKernelWithoutOomKillLine()
    {
        // Kernels before 4.13 write only two lines in memory.oom_control.
        var files = new Dictionary<string, string>(V1Running)
        {
            ["memory/memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\n",
        };
        Assert.Null(V1(files).OomKills);
    }

    [Fact]
    public void V1OnlyPidsHierarchyMounted()
    {
        var files = V1Running.Where(kv => kv.Key.StartsWith("pids/", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        var s = V1(files);
        Assert.Equal(3, s.Pids);
        Assert.Equal(50, s.PidsLimit);
        Assert.Null(s.MemoryBytes);
        Assert.Null(s.MemoryLimitBytes);
        Assert.Null(s.CpuSeconds);
        Assert.Null(s.OomKills);
    }

    // ------------------------------------------------------------------ v2

    [Fact]
    public void V2RunningContainer()
    {
        var s = V2(V2Running);
        Assert.Equal(1101824, s.MemoryBytes);
        Assert.Equal(3559424, s.MemoryPeakBytes);
        Assert.Equal(64L * 1024 * 1024, s.MemoryLimitBytes);
        Assert.Equal(3, s.Pids);
        Assert.Equal(50, s.PidsLimit);
        Assert.Equal(0.043308, s.CpuSeconds!.Value, 9);
        Assert.Equal(0, s.OomKills);
    }

    [Fact]
    public void V2OomKilledContainerCountsKillsNotOomEvents()
    {
        var s = V2(V2OomKilled);
        Assert.Equal(2, s.OomKills);
        Assert.Equal(30L * 1024 * 1024, s.MemoryLimitBytes);
        Assert.Equal(30L * 1024 * 1024, s.MemoryPeakBytes);
        Assert.Equal(0, s.MemoryBytes);
        Assert.Null(s.PidsLimit);
        Assert.Equal(1.5, s.CpuSeconds);
    }

    [Fact]
    public void V2MaxMeansNoLimit()
    {
        var s = V2(V2Unlimited);
        Assert.Null(s.MemoryLimitBytes);
        Assert.Null(s.PidsLimit);
        Assert.Equal(524288, s.MemoryBytes);
        Assert.Equal(1, s.Pids);
        Assert.Equal(0.0, s.CpuSeconds);
    }

    [Fact]
    public void V2WithoutMemoryPeak()
    {
        // memory.peak appeared in Linux 5.19.
        var s = V2(V2Unlimited);
        Assert.Null(s.MemoryPeakBytes);
    }

    [Fact]
    public void V2UsageUsecIsNotConfusedWithOtherUsecFields()
    {
        var files = new Dictionary<string, string>(V2Running)
        {
            ["cpu.stat"] = "user_usec 9000000\nsystem_usec 1000000\nusage_usec 2500000\nthrottled_usec 77\n",
        };
        Assert.Equal(2.5, V2(files).CpuSeconds);
    }

    [Fact]
    public void V2MissingFilesGiveNulls() => Assert.Equal(new CgroupStats(), V2([]));

    [Fact]
    public void V2ReadsTheUnifiedFiles()
    {
        var asked = new List<string>();
        CgroupV2Reader.Read(file =>
        {
            asked.Add(file);
            return null;
        });
        Assert.Equal(
            new[] { "cpu.stat", "memory.current", "memory.events", "memory.max", "memory.peak", "pids.current", "pids.max" },
            asked.Order(StringComparer.Ordinal).ToArray());
    }

    // ------------------------------------------------------------------ CgroupText

    [Theory]
    [InlineData("42\n", 42L)]
    [InlineData("42", 42L)]
    [InlineData("  42 \n", 42L)]
    [InlineData("0\n", 0L)]
    [InlineData("9223372036854771712\n", 9223372036854771712L)]
    public void NumberParsesDecimal(string text, long expected) => Assert.Equal(expected, CgroupText.Number(text));

    [Theory]
    [InlineData("max\n")]
    [InlineData("max")]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("-1\n")]
    [InlineData("1,000")]
    [InlineData("12abc")]
    [InlineData("99999999999999999999\n")]
    public void NumberRejectsNonNumbers(string text) => Assert.Null(CgroupText.Number(text));

    [Fact]
    public void NumberOfNullIsNull() => Assert.Null(CgroupText.Number(null));

    [Fact]
    public void FieldFindsTheExactKey()
    {
        const string events = "low 0\nhigh 0\nmax 97\noom 3\noom_kill 2\noom_group_kill 0\n";
        Assert.Equal(2, CgroupText.Field(events, "oom_kill"));
        Assert.Equal(3, CgroupText.Field(events, "oom"));
        Assert.Equal(0, CgroupText.Field(events, "oom_group_kill"));
        Assert.Equal(97, CgroupText.Field(events, "max"));
    }

    [Fact]
    public void FieldMissingKeyIsNull()
    {
        Assert.Null(CgroupText.Field("oom_kill_disable 0\nunder_oom 0\n", "oom_kill"));
        Assert.Null(CgroupText.Field("", "oom_kill"));
        Assert.Null(CgroupText.Field(null, "oom_kill"));
    }

    [Fact]
    public void FieldToleratesTrailingSpaceAndCrLf()
    {
        Assert.Equal(7, CgroupText.Field("a 1\r\noom_kill 7 \r\n", "oom_kill"));
    }

    [Fact]
    public void FieldWithNonNumericValueIsNull() =>
        Assert.Null(CgroupText.Field("oom_kill lots\n", "oom_kill"));
}
