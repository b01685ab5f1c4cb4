using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Bpm.IntegrationTests;

/// <summary>
/// Supervision by Debian's real monit daemon, on a private control file that includes the file
/// `bpm monit JOB` prints: monit starts the job through bpm, restarts it when its process dies,
/// survives a burst of restarts and stops it, leaving nothing behind.
/// </summary>
public sealed class MonitTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(45);

    [Fact]
    public void MonitSupervisesAJobThroughBpm()
    {
        using var root = new BoshRoot();
        // Containers' cgroups sit below the test runner's own: a unique job name keeps this test
        // clear of anyone else's run on the same machine.
        var job = "monit-" + Guid.NewGuid().ToString("N")[..6];
        const string helper = "helper";
        root.WriteJob(job, $"""
            processes:
            - name: {job}
              executable: /bin/sleep
              args: ["1000"]
            - name: {helper}
              executable: /bin/sleep
              args: ["1000"]
            """);
        var mainId = BoshRoot.ContainerId(job);
        var helperId = BoshRoot.ContainerId(job, helper);
        var helperCheck = job + "-" + helper;

        // The control file, in the form BOSH releases ship next to bpm.
        var bpm = BoshRoot.BpmBin;
        var gen = root.Bpm("monit", job, "--bpm", bpm);
        Assert.True(gen.ExitCode == 0, "bpm monit failed: " + gen);
        var env = $"/usr/bin/env BPM_BOSH_ROOT={root.Root} ";
        foreach (var line in new[]
        {
            $"check process {job}",
            $"  with pidfile {root.PidFile(job)}",
            $"  start program \"{env}{bpm} start {job}\"",
            $"  stop program \"{env}{bpm} stop {job}\"",
            $"check process {helperCheck}",
            $"  with pidfile {root.PidFile(job, helper)}",
            $"  start program \"{env}{bpm} start {job} -p {helper}\"",
            $"  stop program \"{env}{bpm} stop {job} -p {helper}\"",
            "  group vcap",
        })
        {
            Assert.Contains(line + "\n", gen.Stdout);
        }

        using var monit = new MonitDaemon(root.P("monit"), gen.Stdout);
        string Diag() => monit.Diagnostics() + $"\n--- runc list ---\n{string.Join(" ", root.RuncList())}\n--- bpm.log ---\n" +
            Tail(root.BpmLog(job), 15);

        // Is process PROC of the job up under monit: runc, bpm, the pidfile and monit all agree?
        int? Up(string proc, string check)
        {
            var p = proc == job ? null : proc;
            if (root.RuncStatus(BoshRoot.ContainerId(job, p)) != "running")
            {
                return null;
            }
            var args = p is null ? new[] { "pid", job } : ["pid", job, "-p", p];
            var r = root.Bpm(args);
            if (r.ExitCode != 0 || !int.TryParse(r.Stdout.Trim(), out var pid))
            {
                return null;
            }
            if (!File.Exists(root.PidFile(job, p)) || File.ReadAllText(root.PidFile(job, p)) != pid.ToString())
            {
                return null;
            }
            return monit.Summary().GetValueOrDefault(check) == "OK" && monit.Pid(check) == pid ? pid : null;
        }

        // 1. The daemon starts both processes through bpm.
        monit.Start();
        var start = monit.Cli("start", job);
        Assert.True(start.ExitCode == 0, "monit start: " + start);
        int pid1 = 0, helperPid = 0;
        WaitUntil(() => Up(job, job) is int p && (pid1 = p) > 0 && Up(helper, helperCheck) is int h && (helperPid = h) > 0,
            Settle, "monit to start both processes", Diag);

        // 2. Killing the process: monit notices and starts it again through bpm.
        Assert.Equal(0, BoshRoot.Run("kill", "-9", pid1.ToString()).ExitCode);
        var pid2 = 0;
        WaitUntil(() => Up(job, job) is int p && p != pid1 && (pid2 = p) > 0, Settle, $"monit to restart {job} after kill -9 {pid1}", Diag);
        Assert.Equal(helperPid, Up(helper, helperCheck));

        // 3. A burst of restarts: monit queues them (each call returns at once) and settles with one
        //    running container whose pidfile is the process bpm reports.
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            var r = monit.Cli("restart", job);
            Assert.True(r.ExitCode == 0, $"monit restart #{i + 1}: " + r + Diag());
        }
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"20 monit restart calls took {sw.Elapsed.TotalSeconds:0.0} s");
        var pid3 = 0;
        WaitUntil(() => Up(job, job) is int p && p != pid2 && (pid3 = p) > 0 && !monit.SummaryText().Contains("pending"),
            Settle, "monit to settle after 20 restarts", Diag);
        Assert.Equal(new[] { helperId, mainId }.Order(StringComparer.Ordinal), root.RuncList().Order(StringComparer.Ordinal));
        Assert.Equal(pid3, root.ReadPidFile(job));
        var inits = ProcessesInCgroup(CgroupNames.Leaf(root.Root, mainId));
        Assert.True(inits.Count(p => Comm(p) == "tini") == 1 && inits.Contains(pid3),
            $"expected exactly one container init ({pid3}) in cgroup {mainId}, found: " +
            string.Join(", ", inits.Select(p => $"{p} {Comm(p)}")) + Diag());
        Assert.Equal(helperPid, Up(helper, helperCheck));

        // 4. monit stop: the container goes, the other process stays.
        var stop = monit.Cli("stop", job);
        Assert.True(stop.ExitCode == 0, "monit stop: " + stop);
        WaitUntil(() => monit.Summary().GetValueOrDefault(job) == "Not monitored" && root.RuncStatus(mainId) is null,
            Settle, $"monit to stop {job}", Diag);
        Assert.False(File.Exists(root.PidFile(job)), "pidfile left after monit stop");
        Assert.NotEqual(0, root.Bpm("pid", job).ExitCode);
        Assert.Equal(helperPid, Up(helper, helperCheck));

        var stopAll = monit.Cli("stop", "all");
        Assert.True(stopAll.ExitCode == 0, "monit stop all: " + stopAll);
        WaitUntil(() => monit.Summary().GetValueOrDefault(helperCheck) == "Not monitored" && root.RuncList().Length == 0,
            Settle, "monit to stop all", Diag);

        // 5. monit quit ends the daemon; nothing of the job is left on the host.
        var quit = monit.Cli("quit");
        Assert.True(quit.ExitCode == 0, "monit quit: " + quit);
        WaitUntil(() => monit.HasExited, TimeSpan.FromSeconds(20), "the monit daemon to exit", Diag);
        Assert.Empty(root.RuncList());
        Assert.Empty(BoshRoot.MountsUnder(root.Root));
        Assert.Empty(CgroupDirs(CgroupNames.Leaf(root.Root, mainId)).Concat(CgroupDirs(CgroupNames.Leaf(root.Root, helperId))));
        Assert.False(File.Exists(root.PidFile(job)));
        Assert.False(File.Exists(root.PidFile(job, helper)));
        Assert.False(Directory.Exists(root.BundleDir(job)));
        Assert.False(Directory.Exists(root.BundleDir(job, helper)));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Polls COND every 100 ms until it holds; fails with DIAG's text after TIMEOUT.</summary>
    private static void WaitUntil(Func<bool> cond, TimeSpan timeout, string what, Func<string> diag)
    {
        var sw = Stopwatch.StartNew();
        while (!cond())
        {
            if (sw.Elapsed > timeout)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:0} s waiting for {what}\n{diag()}");
            }
            Thread.Sleep(100);
        }
    }

    /// <summary>Host pids whose cgroup (in any hierarchy) is named ID.</summary>
    private static List<int> ProcessesInCgroup(string id)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                if (File.ReadAllLines(Path.Combine(dir, "cgroup")).Any(l => l.EndsWith("/" + id, StringComparison.Ordinal)))
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
                // exited meanwhile
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return pids;
    }

    private static string Comm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    /// <summary>Cgroup directories named ID anywhere under /sys/fs/cgroup.</summary>
    internal static List<string> CgroupDirs(string id)
    {
        var r = BoshRoot.Run("find", "/sys/fs/cgroup", "-mindepth", "1", "-maxdepth", "8", "-type", "d", "-name", id);
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    internal static string Tail(string path, int lines)
    {
        try
        {
            return string.Join("\n", File.ReadAllLines(path).TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"({e.Message})";
        }
    }
}

/// <summary>
/// A monit daemon on a private control file (0600) in DIR: `set daemon 1`, its http interface on
/// a free loopback port (the CLI talks to it), pid/state/id/log files in DIR, and the given
/// service definitions included. Runs in the foreground (-I) as our child; Dispose kills it.
/// </summary>
internal sealed class MonitDaemon : IDisposable
{
    public const string MonitPath = "/usr/bin/monit";

    private readonly string _dir;
    private RunningCommand? _daemon;

    public string ControlFile { get; }
    public int Port { get; }

    public MonitDaemon(string dir, string services)
    {
        if (!File.Exists(MonitPath))
        {
            throw new InvalidOperationException($"{MonitPath} not found: monit is not installed (scripts/setup-host installs it)");
        }
        _dir = Directory.CreateDirectory(dir).FullName;
        Port = FreeLoopbackPort();
        var servicesFile = Path.Combine(_dir, "services.monit");
        File.WriteAllText(servicesFile, services);
        ControlFile = Path.Combine(_dir, "monitrc");
        File.WriteAllText(ControlFile, $"""
            set daemon 1
            set log {_dir}/monit.log
            set pidfile {_dir}/monit.pid
            set idfile {_dir}/monit.id
            set statefile {_dir}/monit.state
            set httpd port {Port} and use address 127.0.0.1
              allow 127.0.0.1
            include {servicesFile}

            """);
        File.SetUnixFileMode(ControlFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void Start()
    {
        var check = BoshRoot.Run(MonitPath, "-t", "-c", ControlFile);
        Assert.True(check.ExitCode == 0, "monit -t rejects the control file: " + check + "\n" + File.ReadAllText(ControlFile));
        _daemon = RunningCommand.Start(MonitPath, ["-I", "-c", ControlFile], null);
        var sw = Stopwatch.StartNew();
        while (Cli("summary").ExitCode != 0)
        {
            Assert.False(_daemon.HasExited, "monit exited at start:\n" + Diagnostics());
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), "monit's http interface did not come up:\n" + Diagnostics());
            Thread.Sleep(100);
        }
    }

    public bool HasExited => _daemon is null || _daemon.HasExited;

    /// <summary>`monit -c RC ARGS...` (the CLI, talking to the daemon over http).</summary>
    public CommandResult Cli(params string[] args) =>
        BoshRoot.Exec(MonitPath, ["-c", ControlFile, .. args], null, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();

    public string SummaryText() => Cli("summary").Stdout;

    /// <summary>Service name → status column of `monit summary` ("OK", "OK - restart pending", "Not monitored"...).</summary>
    public Dictionary<string, string> Summary()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in SummaryText().Split('\n'))
        {
            var m = Regex.Match(line, @"^\s*(\S+)\s{2,}(.+?)\s{2,}(Process|System|File|Program|Host|Filesystem|Directory|Fifo|Net)\s*$");
            if (m.Success)
            {
                result[m.Groups[1].Value] = m.Groups[2].Value;
            }
        }
        return result;
    }

    /// <summary>The pid monit reports for a process check, if any.</summary>
    public int? Pid(string service)
    {
        var m = Regex.Match(Cli("status", service).Stdout, @"^\s*pid\s+(\d+)\s*$", RegexOptions.Multiline);
        return m.Success ? int.Parse(m.Groups[1].Value) : null;
    }

    public string Diagnostics()
    {
        var sb = new StringBuilder();
        sb.Append("--- monit summary ---\n");
        try
        {
            sb.Append(HasExited ? "(daemon not running)\n" : Cli("summary").Stdout);
        }
        catch (Exception e)
        {
            sb.Append(e.Message).Append('\n');
        }
        sb.Append("--- monit.log (tail) ---\n").Append(MonitTests.Tail(Path.Combine(_dir, "monit.log"), 40)).Append('\n');
        return sb.ToString();
    }

    public void Dispose()
    {
        // RunningCommand kills the daemon and any bpm it is running; the BoshRoot cleans up after.
        _daemon?.Dispose();
        _daemon = null;
    }

    private static int FreeLoopbackPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        try
        {
            return ((IPEndPoint)l.LocalEndpoint).Port;
        }
        finally
        {
            l.Stop();
        }
    }
}
