using System.Text.Json;

namespace Bpm.IntegrationTests;

public sealed class LifecycleTests
{
    [Fact]
    public void StartListPidStop()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("web");

        var start = root.Bpm("start", "web");
        Assert.True(start.ExitCode == 0, start.ToString());
        BoshRoot.WaitFor(() => root.RuncStatus("bpm-web") == "running", "bpm-web running");

        var pid = root.ReadPidFile("web");
        Assert.True(Directory.Exists($"/proc/{pid}"), $"pid {pid} from the pidfile is not alive");

        var row = root.ListRowFor("web");
        Assert.Equal(new ListRow("web", pid.ToString(), "running"), row);

        var pidCmd = root.Bpm("pid", "web");
        Assert.True(pidCmd.ExitCode == 0, pidCmd.ToString());
        Assert.Equal(pid + "\n", pidCmd.Stdout);

        var stop = root.Bpm("stop", "web");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal(new ListRow("web", "-", "stopped"), root.ListRowFor("web"));
        Assert.False(File.Exists(root.PidFile("web")), "pidfile left behind after stop");
        Assert.False(Directory.Exists(root.BundleDir("web")), "bundle dir left behind after stop");
        Assert.Empty(root.RuncList());
        BoshRoot.WaitFor(() => !Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(5), $"pid {pid} to go away");

        var pidAfter = root.Bpm("pid", "web");
        Assert.Equal(1, pidAfter.ExitCode);
        Assert.Contains("Error: process is not running or could not be found", pidAfter.Stderr);
    }

    [Fact]
    public void StartPreparesHostFilesAndBundle()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("files");
        root.StartRunning("files");

        foreach (var dir in new[] { root.LogDir("files"), root.P("sys", "run", "files"), root.P("data", "files", "tmp") })
        {
            var st = BoshRoot.Stat(dir);
            Assert.True(st.Uid == BoshRoot.VcapUid && st.Mode == "700", $"{dir}: uid {st.Uid} mode {st.Mode}, want vcap 700");
        }
        Assert.Equal("700", BoshRoot.Stat(root.P("sys", "run", "bpm", "files")).Mode);
        foreach (var file in new[] { root.StdoutLog("files"), root.StderrLog("files"), root.BpmLog("files") })
        {
            var st = BoshRoot.Stat(file);
            Assert.True(st.Uid == BoshRoot.VcapUid && st.Mode == "600", $"{file}: uid {st.Uid} mode {st.Mode}, want vcap 600");
        }

        var bundle = root.BundleDir("files");
        Assert.True(Directory.Exists(Path.Combine(bundle, "rootfs")), "bundle has no rootfs/");
        using var spec = JsonDocument.Parse(File.ReadAllText(Path.Combine(bundle, "config.json")));
        var process = spec.RootElement.GetProperty("process");
        var args = process.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToArray();
        Assert.Equal(["/var/vcap/packages/bpm/bin/tini", "-w", "-s", "--", "/bin/sleep", "1000"], args);
        Assert.Equal(BoshRoot.VcapUid, process.GetProperty("user").GetProperty("uid").GetInt32());
        Assert.True(process.GetProperty("noNewPrivileges").GetBoolean());
        Assert.Equal("/var/vcap/jobs/files", process.GetProperty("cwd").GetString());

        var lines = File.ReadAllLines(root.BpmLog("files"));
        var messages = lines.Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            var e = doc.RootElement;
            Assert.Equal("bpm", e.GetProperty("source").GetString());
            Assert.True(DateTimeOffset.TryParse(e.GetProperty("timestamp").GetString(), out _), "bad timestamp: " + l);
            Assert.Equal("files", e.GetProperty("data").GetProperty("job").GetString());
            return e.GetProperty("message").GetString();
        }).ToList();
        Assert.Contains("bpm.start.starting", messages);
        Assert.Contains("bpm.start.complete", messages);
    }

    [Fact]
    public void StartTwiceIsANoOp()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("twice");
        var pid = root.StartRunning("twice");

        var again = root.Bpm("start", "twice");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(pid, root.ReadPidFile("twice"));
        Assert.Equal(["bpm-twice"], root.RuncList());
        Assert.Equal(new ListRow("twice", pid.ToString(), "running"), root.ListRowFor("twice"));
    }

    [Fact]
    public void StopOfAStoppedJobSucceeds()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("idle");
        var stop = root.Bpm("stop", "idle");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Contains("job-already-stopped", File.Exists(root.BpmLog("idle")) ? File.ReadAllText(root.BpmLog("idle")) : "");

        root.StartRunning("idle");
        Assert.Equal(0, root.Bpm("stop", "idle").ExitCode);
        var second = root.Bpm("stop", "idle");
        Assert.True(second.ExitCode == 0, second.ToString());
    }

    [Fact]
    public void StartAfterTheProcessExitedRestartsIt()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("oneshot", "echo ran");

        Assert.Equal(0, root.Bpm("start", "oneshot").ExitCode);
        BoshRoot.WaitFor(() => root.RuncStatus("bpm-oneshot") == "stopped", "first run to finish");
        Assert.Equal(new ListRow("oneshot", "-", "failed"), root.ListRowFor("oneshot")! with { Pid = "-" });
        var pidCmd = root.Bpm("pid", "oneshot");
        Assert.Equal(1, pidCmd.ExitCode);
        Assert.Contains("Error: process is not running or could not be found", pidCmd.Stderr);

        var again = root.Bpm("start", "oneshot");
        Assert.True(again.ExitCode == 0, again.ToString());
        BoshRoot.WaitFor(() => File.ReadAllLines(root.StdoutLog("oneshot")).Count(l => l == "ran") == 2,
            "the second run's output (the log is appended)");
        BoshRoot.WaitFor(() => root.RuncStatus("bpm-oneshot") == "stopped", "second run to finish");
        Assert.Equal(["bpm-oneshot"], root.RuncList());
    }

    [Fact]
    public void StartRecoversFromTruncatedRuncState()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("stale");
        var pid = root.StartRunning("stale");

        // Simulate a crash: the container's init dies and runc's state file is left truncated.
        BoshRoot.Run("kill", "-9", pid.ToString());
        BoshRoot.WaitFor(() => !Directory.Exists($"/proc/{pid}"), "container init to die");
        File.WriteAllText(Path.Combine(root.RuncRoot, "bpm-stale", "state.json"), "{\"id\":");

        var start = root.Bpm("start", "stale");
        Assert.True(start.ExitCode == 0, start.ToString());
        BoshRoot.WaitFor(() => root.RuncStatus("bpm-stale") == "running", "restarted container");
        Assert.NotEqual(pid, root.ReadPidFile("stale"));
    }

    [Fact]
    public void MultiProcessJobListsEveryProcess()
    {
        using var root = new BoshRoot();
        root.WriteSleepJobOf("web", "web", "worker");
        root.WriteSleepJob("a");

        var listed = root.Bpm("list");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        // tabwriter: min width 0, padding 1, last column unpadded.
        Assert.Equal("Name       Pid Status\na          -   stopped\nweb        -   stopped\nweb.worker -   stopped\n",
            SortRows(listed.Stdout));

        var pid = root.StartRunning("web", "worker");
        Assert.Equal(["bpm-web.2eworker"], root.RuncList());
        var rows = root.List();
        Assert.Contains(new ListRow("web.worker", pid.ToString(), "running"), rows);
        Assert.Contains(new ListRow("web", "-", "stopped"), rows);

        var pidCmd = root.Bpm("pid", "web", "-p", "worker");
        Assert.Equal(pid + "\n", pidCmd.Stdout);
        Assert.Equal(0, root.Bpm("stop", "web", "--process", "worker").ExitCode);
        Assert.Empty(root.RuncList());
        Assert.False(File.Exists(root.PidFile("web", "worker")));
    }

    [Fact]
    public void ShutdownSignalIntIsDelivered()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("intjob", """
            trap 'echo got-int; exit 0' INT
            trap 'echo got-term; exit 0' TERM
            echo ready
            while :; do sleep 0.05; done
            """, "shutdown_signal: INT");
        root.StartRunning("intjob");
        BoshRoot.WaitFor(() => File.ReadAllText(root.StdoutLog("intjob")).Contains("ready"), "job ready");

        var sw = System.Diagnostics.Stopwatch.StartNew();
        var stop = root.Bpm("stop", "intjob");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"stop took {sw.Elapsed}");
        var output = File.ReadAllText(root.StdoutLog("intjob"));
        Assert.Contains("got-int", output);
        Assert.DoesNotContain("got-term", output);
    }

    private static string SortRows(string table)
    {
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join("\n", lines.Take(1).Concat(lines.Skip(1).Order(StringComparer.Ordinal))) + "\n";
    }
}
