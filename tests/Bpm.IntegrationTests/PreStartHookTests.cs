using System.Text.Json;
using Bpm.IntegrationTests.Hardening;

namespace Bpm.IntegrationTests;

/// <summary>
/// The pre_start hook: a plain child of bpm on the host, as root, with the process's configured
/// environment and root's own TMPDIR, HOME and PATH, and its output in the job's logs; a failure
/// aborts the start or run and leaves nothing behind; it is killed after 30 s; `bpm status` shows
/// it; `bpm stop` waits for it. (A hook the job could have replaced: Hardening/HookTrustTests.)
/// </summary>
public sealed class PreStartHookTests
{
    private const string Job = "hooked";

    /// <summary>A sleeping job whose pre_start hook is a shell script at HOOK (a host path).</summary>
    private static void WriteHookJob(BoshRoot root, string hook, string body, string extraYaml = "")
    {
        root.WriteSleepJob(Job, $"hooks: {{pre_start: {hook}}}\n{extraYaml}");
        Hx.WriteExecutable(hook, "#!/bin/sh\n" + body);
    }

    private static string DefaultHook(BoshRoot root) => root.P("jobs", Job, "bin", "pre-start");

    /// <summary>A hook that reports its pid in REACHED, then waits until the file GO exists (at most 25 s).</summary>
    private static string WaitingHook(string reached, string go) => $"""
        echo $$ > {reached}.tmp && mv {reached}.tmp {reached}
        i=0
        while [ ! -e {go} ] && [ $i -lt 500 ]; do sleep 0.05; i=$((i+1)); done
        echo hook-released
        """;

    private static string Status(BoshRoot root, params string[] extra)
    {
        var r = root.Bpm(["status", Job, .. extra]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout;
    }

    private static string StatusState(BoshRoot root)
    {
        var line = Status(root).Split('\n').Single(l => l.StartsWith("state:", StringComparison.Ordinal));
        return line["state:".Length..].Trim();
    }

    private static string JsonState(BoshRoot root)
    {
        using var doc = JsonDocument.Parse(Status(root, "--json"));
        return doc.RootElement.GetProperty("state").GetString()!;
    }

    private static void AssertNothingLeft(BoshRoot root)
    {
        Assert.Empty(root.RuncList());
        Assert.Equal(new ListRow(Job, "-", "stopped"), root.ListRowFor(Job));
        Assert.False(Directory.Exists(root.BundleDir(Job)), "bundle left behind");
        Assert.False(File.Exists(root.PidFile(Job)), "pidfile left behind");
        Assert.False(File.Exists(root.P("sys", "run", "bpm", Job, Job + ".pre-start")), "hook marker left behind");
    }

    [Fact]
    public void RunsOnTheHostAsRootWithTheConfiguredEnvAndRootsDefaults()
    {
        using var root = new BoshRoot();
        // Outside every directory the job's container may write to.
        var evidence = root.P("sys", "run", "hook-evidence");
        WriteHookJob(root, DefaultHook(root), $$"""
            {
              echo "uid=$(id -u)"
              echo "parent=$(readlink /proc/$PPID/exe)"
              echo "sees-test=$([ -d /proc/{{Environment.ProcessId}} ] && echo yes || echo no)"
              echo "pgid=$(cut -d' ' -f5 /proc/$$/stat) self=$$"
              echo "stdin=$(readlink /proc/$$/fd/0)"
              echo "cwd=$(pwd)"
              echo "zero=$0"
              echo "TMPDIR=$TMPDIR"
              echo "tmpdir-stat=$(stat -c '%u %a' "$TMPDIR")"
              echo "LANG=$LANG"
              echo "HOME=$HOME"
              echo "PATH=$PATH"
              echo "FOO=$FOO"
              echo "BPM_BOSH_ROOT=$BPM_BOSH_ROOT"
              for fd in /proc/$$/fd/*; do echo "fd=$(readlink $fd)"; done
            } > {{evidence}}
            echo hook-to-stdout
            echo hook-to-stderr >&2
            """, "env: {FOO: bar}");

        root.StartRunning(Job);
        var lines = File.ReadAllLines(evidence);
        string Value(string key) => Assert.Single(lines, l => l.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];

        Assert.Equal("0", Value("uid"));
        // Its parent is bpm itself, and it sees the host's processes: no container, no pid namespace.
        Assert.Equal(Path.GetFullPath(BoshRoot.BpmBin), Value("parent"));
        Assert.Equal("yes", Value("sees-test"));
        var group = Value("pgid").Split(" self=");
        Assert.Equal(group[1], group[0]);
        Assert.Equal("/dev/null", Value("stdin"));

        // It runs in "/", from the descriptor bpm checked.
        Assert.Equal("/", Value("cwd"));
        Assert.Equal("/proc/self/fd/3", Value("zero"));
        // TMPDIR is root's own for this run, and gone after it; HOME is root's home; PATH is the
        // default with the job's bin dir as the host sees it, each dir that exists, and no ".".
        Assert.Equal(root.P("data", "bpm", "hooks", BoshRoot.ContainerId(Job)), Value("TMPDIR"));
        Assert.Equal("0 700", Value("tmpdir-stat"));
        Assert.False(Directory.Exists(Value("TMPDIR")), "the hook's TMPDIR is left behind");
        Assert.Equal("en_US.UTF-8", Value("LANG"));
        Assert.Equal(RootHome(), Value("HOME"));
        string[] path = [root.P("jobs", Job, "bin"), "/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/usr/sbin", "/bin", "/sbin"];
        Assert.Equal(string.Join(':', path.Where(Directory.Exists)), Value("PATH"));
        Assert.Equal("bar", Value("FOO"));
        Assert.Equal("", Value("BPM_BOSH_ROOT"));
        // Neither the job lock nor bpm.log, nor anything else of bpm's, is handed down.
        var fds = lines.Where(l => l.StartsWith("fd=", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(fds, l => l.Contains("/locks/", StringComparison.Ordinal) || l.Contains("bpm.log", StringComparison.Ordinal));

        Assert.Contains("hook-to-stdout\n", File.ReadAllText(root.StdoutLog(Job)));
        Assert.Contains("hook-to-stderr\n", File.ReadAllText(root.StderrLog(Job)));
        var log = File.ReadAllText(root.BpmLog(Job));
        Assert.Contains("bpm.start.running-pre-start-hook", log);
        Assert.Contains("bpm.start.pre-start-hook-complete", log);

        Assert.Equal(0, root.Bpm("stop", Job).ExitCode);
    }

    /// <summary>Root's home directory, from the passwd database.</summary>
    internal static string RootHome() =>
        File.ReadAllLines("/etc/passwd").Select(l => l.Split(':')).First(f => f.Length > 5 && f[2] == "0")[5];

    [Fact]
    public void AHookOutsideTheJobDirsRuns()
    {
        using var root = new BoshRoot();
        var ran = root.P("sys", "run", "package-hook-ran");
        WriteHookJob(root, root.P("packages", "x", "bin", "hook"), $"touch {ran}\n");
        root.StartRunning(Job);
        Assert.True(File.Exists(ran), "the hook did not run");
        Assert.Equal(0, root.Bpm("stop", Job).ExitCode);
    }

    public static TheoryData<string, string> Failures => new()
    {
        { "start", "exit 7" }, { "start", "not executable" }, { "start", "missing" },
        { "run", "exit 7" }, { "run", "not executable" }, { "run", "missing" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void AFailingHookAbortsTheStart(string command, string failure)
    {
        using var root = new BoshRoot();
        var hook = DefaultHook(root);
        WriteHookJob(root, hook, "echo failing-hook-out\necho failing-hook-err >&2\nexit 7\n");
        if (failure == "not executable") File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (failure == "missing") File.Delete(hook);

        var r = root.Bpm(command, Job);
        Assert.True(r.ExitCode != 0, r.ToString());
        var expected = failure switch
        {
            "exit 7" => $"Error: failed to run pre-start hook {hook} (exit status 7)\n",
            "not executable" => $"Error: failed to run pre-start hook {hook}: Permission denied\n",
            _ => $"Error: failed to run pre-start hook {hook}: No such file or directory\n",
        };
        Assert.Equal(expected, r.Stderr);

        AssertNothingLeft(root);
        if (failure == "exit 7")
        {
            Assert.Contains("failing-hook-out\n", File.ReadAllText(root.StdoutLog(Job)));
            Assert.Contains("failing-hook-err\n", File.ReadAllText(root.StderrLog(Job)));
        }
        var log = File.ReadAllText(root.BpmLog(Job));
        Assert.Contains($"bpm.{command}.running-pre-start-hook", log);
        Assert.Contains($"bpm.{command}.pre-start-hook-failed", log);
        Assert.DoesNotContain($"bpm.{command}.complete", log);
    }

    [Fact]
    public void AHookThatNeverEndsIsKilledAtTheBound()
    {
        using var root = new BoshRoot();
        var pids = root.P("sys", "run", "hanging-pids");
        // Both the hook and its child ignore TERM: only the KILL after it ends them.
        WriteHookJob(root, DefaultHook(root), $"""
            trap '' TERM
            sleep 1000 &
            echo "$$ $!" > {pids}
            wait
            """);
        int[] started = [];
        try
        {
            var r = root.Bpm("start", Job);
            started = File.ReadAllText(pids).Split(' ', StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
            Assert.True(r.ExitCode == 1, r.ToString());
            Assert.Equal($"Error: failed to run pre-start hook {DefaultHook(root)}: timed out after 30 s\n", r.Stderr);
            foreach (var pid in started)
                BoshRoot.WaitFor(() => !Hx.Alive(pid), TimeSpan.FromSeconds(5), $"hook process {pid} to be gone");
            AssertNothingLeft(root);
            Assert.Contains("bpm.start.pre-start-hook-failed", File.ReadAllText(root.BpmLog(Job)));
            // The job lock is free again.
            Assert.Equal(0, Hx.LockHolders(root));
            Assert.Equal(0, root.Bpm("stop", Job).ExitCode);
        }
        finally
        {
            Hx.KillPids(started.Where(Hx.Alive));
        }
    }

    [Fact]
    public void StatusSaysStartingWhileTheHookRuns()
    {
        using var root = new BoshRoot();
        var reached = root.P("sys", "run", "hook-reached");
        var go = root.P("sys", "run", "hook-go");
        WriteHookJob(root, DefaultHook(root), WaitingHook(reached, go));
        try
        {
            using var start = root.StartBpm("start", Job);
            BoshRoot.WaitFor(() => File.Exists(reached), "the hook to run");
            Assert.Equal("starting (pre_start hook)", StatusState(root));
            Assert.Equal("starting (pre_start hook)", JsonState(root));

            File.WriteAllText(go, "");
            BoshRoot.WaitFor(() => start.HasExited, TimeSpan.FromSeconds(30), "the start to finish");
            Assert.Equal(0, start.ExitCode);
            BoshRoot.WaitFor(() => root.RuncStatus(BoshRoot.ContainerId(Job)) == "running", "the job running");
            Assert.Equal("running", StatusState(root));
            Assert.Equal(0, root.Bpm("stop", Job).ExitCode);
        }
        finally
        {
            File.WriteAllText(go, "");
        }
    }

    [Fact]
    public void StatusIgnoresTheMarkerOfAHookThatHasEnded()
    {
        using var root = new BoshRoot();
        var reached = root.P("sys", "run", "hook-reached");
        var go = root.P("sys", "run", "hook-go");
        WriteHookJob(root, DefaultHook(root), WaitingHook(reached, go));
        int hook = 0;
        try
        {
            using (var bpm = new BackgroundBpm(root, "start", Job))
            {
                BoshRoot.WaitFor(() => File.Exists(reached), "the hook to run");
                hook = int.Parse(File.ReadAllText(reached).Trim());
                bpm.KillBpm();
            }
            File.WriteAllText(go, "");
            BoshRoot.WaitFor(() => !Hx.Alive(hook), TimeSpan.FromSeconds(10), "the orphaned hook to end");
            // A killed bpm could not remove its marker; with its hook gone, it tells nothing.
            Assert.True(File.Exists(root.P("sys", "run", "bpm", Job, Job + ".pre-start")), "the marker of the killed start");
            Assert.Equal("stopped", StatusState(root));
            Assert.Equal("stopped", JsonState(root));
        }
        finally
        {
            File.WriteAllText(go, "");
            if (hook > 0 && Hx.Alive(hook)) Hx.KillPids([hook]);
        }
    }

    [Fact]
    public async Task StopDuringTheHookReturnsAfterIt()
    {
        using var root = new BoshRoot();
        var reached = root.P("sys", "run", "hook-reached");
        var go = root.P("sys", "run", "hook-go");
        WriteHookJob(root, DefaultHook(root), WaitingHook(reached, go));
        try
        {
            using var start = root.StartBpm("start", Job);
            BoshRoot.WaitFor(() => File.Exists(reached), "the hook to run");
            var stop = root.BpmAsync("stop", Job);
            Assert.False(stop.IsCompleted, "stop returned while the hook held the job");

            File.WriteAllText(go, "");
            var stopped = await stop;
            Assert.True(stopped.ExitCode == 0, stopped.ToString());
            BoshRoot.WaitFor(() => start.HasExited, TimeSpan.FromSeconds(10), "the start to finish");
            Assert.Equal(0, start.ExitCode);

            // The start finished (the hook, then the container) before the stop began, and the
            // stop then took the container down.
            var log = File.ReadAllText(root.BpmLog(Job));
            var hookDone = log.IndexOf("bpm.start.pre-start-hook-complete", StringComparison.Ordinal);
            var startDone = log.IndexOf("bpm.start.complete", StringComparison.Ordinal);
            var stopBegan = log.IndexOf("bpm.stop.starting", StringComparison.Ordinal);
            Assert.True(hookDone >= 0 && startDone > hookDone && stopBegan > startDone, log);
            Assert.Contains("hook-released\n", File.ReadAllText(root.StdoutLog(Job)));
            Assert.Empty(root.RuncList());
        }
        finally
        {
            File.WriteAllText(go, "");
        }
    }
}
