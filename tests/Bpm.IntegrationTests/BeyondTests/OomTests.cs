using System.Text.Json;

namespace Bpm.IntegrationTests.BeyondTests;

/// <summary>A memory kill is no longer silent: status says so and bpm.log gets one explicit entry.</summary>
public sealed class OomTests
{
    private const long ThirtyMiB = 30L * 1024 * 1024;
    private const string Hog = "bytearray(200*1024*1024)";

    private static void WriteHogJob(BoshRoot root, string job) =>
        root.WriteJob(job, $$"""
            processes:
            - name: {{job}}
              executable: /usr/bin/python3
              args: ["-c", "{{Hog}}"]
              limits: {memory: 30M}
            """);

    private static List<JsonElement> OomEntries(BoshRoot root, string job) =>
        Beyond.LogEntries(root, job).Where(e => e.GetProperty("message").GetString()!.EndsWith(".oom-killed", StringComparison.Ordinal)).ToList();

    private static void AssertOneOomEntry(BoshRoot root, string job, string command)
    {
        var entries = OomEntries(root, job);
        Assert.True(entries.Count == 1, $"want exactly one oom-killed entry in bpm.log, got {entries.Count}:\n{Beyond.LogText(root, job)}");
        var e = entries[0];
        Assert.Equal($"bpm.{command}.oom-killed", e.GetProperty("message").GetString());
        Assert.Equal("error", e.GetProperty("level").GetString());
        Assert.Equal(job, e.GetProperty("data").GetProperty("job").GetString());
    }

    [Fact]
    public void StatusSaysKilledByTheMemoryLimit()
    {
        using var root = new BoshRoot();
        WriteHogJob(root, "hog");
        var start = root.Bpm("start", "hog");
        Assert.True(start.ExitCode == 0, start.ToString());
        Beyond.WaitForRunc(root, "hog", "stopped");

        var s = Beyond.Status(root, "hog");
        Assert.Equal("failed", s.GetProperty("state").GetString());
        Assert.True(s.GetProperty("oom_kills").GetInt64() >= 1, s.ToString());
        Assert.Equal(Beyond.OomReason, s.GetProperty("exit_reason").GetString());
        Assert.Equal(ThirtyMiB, s.GetProperty("memory_limit_bytes").GetInt64());
        Assert.True(Beyond.IsNull(s, "pid"), s.ToString());

        var human = root.Bpm("status", "hog");
        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Matches(@"(?m)^state: +failed$", human.Stdout);
        Assert.Matches(@"(?m)^oom kills: +[1-9]\d*$", human.Stdout);
        Assert.Matches(@"(?m)^exit reason: +killed by the memory limit$", human.Stdout);
        Assert.Matches(@"(?m)^memory: +.*limit 30\.0 MiB\)$", human.Stdout);
    }

    [Fact]
    public void BpmLogGetsExactlyOneEntryHoweverOftenBpmLooks()
    {
        using var root = new BoshRoot();
        WriteHogJob(root, "hog");
        Assert.Equal(0, root.Bpm("start", "hog").ExitCode);
        Beyond.WaitForRunc(root, "hog", "stopped");

        Beyond.Status(root, "hog");
        AssertOneOomEntry(root, "hog", "status");
        var entry = OomEntries(root, "hog")[0];
        Assert.Equal(ThirtyMiB.ToString(), entry.GetProperty("data").GetProperty("memory_limit_bytes").GetString());

        Beyond.Status(root, "hog");
        Assert.True(root.Bpm("status", "hog").ExitCode == 0);
        Assert.Equal("failed", root.ListRowFor("hog")!.Status);
        Assert.True(root.Bpm("list", "--json").ExitCode == 0);
        var stop = root.Bpm("stop", "hog");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.True(root.Bpm("stop", "hog").ExitCode == 0);
        Beyond.Status(root, "hog");

        AssertOneOomEntry(root, "hog", "status");
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void StopReportsAKillNobodyLookedAt()
    {
        using var root = new BoshRoot();
        WriteHogJob(root, "hog");
        Assert.Equal(0, root.Bpm("start", "hog").ExitCode);
        Beyond.WaitForRunc(root, "hog", "stopped");

        var stop = root.Bpm("stop", "hog");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        AssertOneOomEntry(root, "hog", "stop");
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void RestartReportsTheKillAndTheNewContainerStartsAtZero()
    {
        using var root = new BoshRoot();
        // OOM-killed on the first run only: the marker lives in the (writable, shared) log dir.
        root.WriteShellJob("once", """
            if [ -e /var/vcap/sys/log/once/ran ]; then exec sleep 1000; fi
            touch /var/vcap/sys/log/once/ran
            exec /usr/bin/python3 -c "bytearray(200*1024*1024)"
            """, "limits: {memory: 30M}");
        Assert.Equal(0, root.Bpm("start", "once").ExitCode);
        Beyond.WaitForRunc(root, "once", "stopped");

        var pid = root.StartRunning("once");
        AssertOneOomEntry(root, "once", "start");

        var s = Beyond.Status(root, "once");
        Assert.Equal("running", s.GetProperty("state").GetString());
        Assert.Equal(pid, s.GetProperty("pid").GetInt32());
        Assert.Equal(0, s.GetProperty("oom_kills").GetInt64());
        Assert.True(Beyond.IsNull(s, "exit_reason"), s.ToString());
        AssertOneOomEntry(root, "once", "start");
    }

    [Fact]
    public void AKilledChildOfARunningJobIsReported()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("parent", """
            /usr/bin/python3 -c "bytearray(200*1024*1024)"
            echo child-exit=$?
            exec sleep 1000
            """, "limits: {memory: 30M}");
        var pid = root.StartRunning("parent");
        BoshRoot.WaitFor(() => Beyond.ReadLog(root.StdoutLog("parent")).Contains("child-exit="), "the child to be killed");
        Assert.Contains("child-exit=137", Beyond.ReadLog(root.StdoutLog("parent")));

        var s = Beyond.Status(root, "parent");
        Assert.Equal("running", s.GetProperty("state").GetString());
        Assert.Equal(pid, s.GetProperty("pid").GetInt32());
        Assert.True(s.GetProperty("oom_kills").GetInt64() >= 1, s.ToString());
        Assert.True(Beyond.IsNull(s, "exit_reason"), s.ToString());
        AssertOneOomEntry(root, "parent", "status");

        Beyond.Status(root, "parent");
        var stop = root.Bpm("stop", "parent");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        AssertOneOomEntry(root, "parent", "status");
    }

    [Fact]
    public void ALaterKillGetsItsOwnEntry()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("twice", """
            /usr/bin/python3 -c "bytearray(200*1024*1024)"
            echo kill-1
            while [ ! -e /var/vcap/sys/log/twice/go ]; do sleep 0.05; done
            /usr/bin/python3 -c "bytearray(200*1024*1024)"
            echo kill-2
            exec sleep 1000
            """, "limits: {memory: 30M}");
        root.StartRunning("twice");
        BoshRoot.WaitFor(() => Beyond.ReadLog(root.StdoutLog("twice")).Contains("kill-1"), "the first kill");

        Assert.Equal(1, Beyond.Status(root, "twice").GetProperty("oom_kills").GetInt64());
        Beyond.Status(root, "twice");
        AssertOneOomEntry(root, "twice", "status");

        File.WriteAllText(root.P("sys", "log", "twice", "go"), "");
        BoshRoot.WaitFor(() => Beyond.ReadLog(root.StdoutLog("twice")).Contains("kill-2"), "the second kill");
        Assert.Equal(2, Beyond.Status(root, "twice").GetProperty("oom_kills").GetInt64());
        Beyond.Status(root, "twice");
        Assert.Equal(0, root.Bpm("stop", "twice").ExitCode);

        var entries = OomEntries(root, "twice");
        Assert.True(entries.Count == 2, Beyond.LogText(root, "twice"));
        Assert.Equal(["1", "2"], entries.Select(e => e.GetProperty("data").GetProperty("oom_kills").GetString()!).ToArray());
    }

    [Fact]
    public void RunOfAnOomKilledJobIsLogged()
    {
        using var root = new BoshRoot();
        WriteHogJob(root, "hog");
        var r = root.Bpm("run", "hog");
        Assert.True(r.ExitCode != 0, r.ToString());
        AssertOneOomEntry(root, "hog", "run");
    }

    [Fact]
    public void NoEntryWithoutAKill()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("calm", "exit 0", "limits: {memory: 30M}");
        Assert.Equal(0, root.Bpm("start", "calm").ExitCode);
        Beyond.WaitForRunc(root, "calm", "stopped");

        var s = Beyond.Status(root, "calm");
        Assert.Equal(0, s.GetProperty("oom_kills").GetInt64());
        Assert.NotEqual(Beyond.OomReason, s.GetProperty("exit_reason").GetString());
        Assert.Equal(0, root.Bpm("stop", "calm").ExitCode);
        Assert.Empty(OomEntries(root, "calm"));
    }
}
