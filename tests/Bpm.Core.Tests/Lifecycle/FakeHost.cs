using System.Globalization;
using Bpm.Config;
using Bpm.Host;
using Bpm.Identity;
using Bpm.Interop;
using Bpm.Lifecycle;
using Bpm.Status;

namespace Bpm.Tests.Lifecycle;

// The host as a script: a job lock that is a real flock on a file in the test's own dir, log
// files that are /dev/null, cgroup figures, exit watches and a pre-start hook that say what
// they are told to.
public sealed class FakeHost(Journal journal, string dir) : IHost
{
    public static readonly UserIds VcapIds = new(1000, 1000);

    private readonly List<Fd> _opened = [];

    // Figures of every cgroup, unless one path has its own.
    public CgroupStats? Stats { get; set; }
    public Dictionary<string, CgroupStats?> StatsAt { get; } = new(StringComparer.Ordinal);
    // The `since` of each ReadCgroup, in order.
    public List<DateTimeOffset?> Sinces { get; } = [];

    // Whether each watch sees the process exit, in order; true once they run out.
    public Queue<bool> Exits { get; } = new();

    public int? LiveHookPid { get; set; }
    public IReadOnlyList<string>? HookEnv { get; private set; }
    public LogFiles? HookLogs { get; private set; }

    public MountSources Sources { get; } = new(new Dictionary<string, string> { ["/src"] = "/staging/src" }, new Dictionary<string, IReadOnlyList<string>>());

    public bool LockHeld => _locks.Any(fd => !fd.IsClosed);
    private readonly List<Fd> _locks = [];

    // Every descriptor handed out that is still open: what a test must not leave behind.
    public IReadOnlyList<string> Leaks() =>
        [.. _locks.Where(fd => !fd.IsClosed).Select(_ => "job lock"), .. _opened.Where(fd => !fd.IsClosed).Select(_ => "log file")];

    public UserIds Vcap()
    {
        journal.Note("host.vcap");
        return VcapIds;
    }

    // FileLock.Acquire(path) makes the lock dir root's, which needs root: the fake takes the
    // same flock on a file of its own.
    public FileLock Lock(ProcessRef p)
    {
        journal.Note($"host.lock {p.Name}");
        var path = Path.Join(dir, "job.lock");
        var fd = Fd.Open(path, Libc.O_RDWR | Libc.O_CREAT, 0x180);
        _locks.Add(fd);
        return FileLock.Acquire(fd, path);
    }

    public MountSources Prepare(ProcessRef p, ProcessConfig config, UserIds owner)
    {
        journal.Note($"host.prepare {p.Name}");
        return Sources;
    }

    public void ClearPins(ProcessRef p) => journal.Note($"host.clearPins {p.Name}");

    public LogFiles OpenLogs(ProcessRef p, UserIds owner, IBpmLog log)
    {
        journal.Note($"host.openLogs {p.Name}");
        var stdout = Fd.Open("/dev/null", Libc.O_WRONLY);
        var stderr = Fd.Open("/dev/null", Libc.O_WRONLY);
        _opened.Add(stdout);
        _opened.Add(stderr);
        return new LogFiles(stdout, stderr);
    }

    public CgroupStats? ReadCgroup(string cgroupsPath, DateTimeOffset? since)
    {
        journal.Note($"host.readCgroup {cgroupsPath}");
        Sinces.Add(since);
        return StatsAt.TryGetValue(cgroupsPath, out var own) ? own : Stats;
    }

    public void Reap(string cgroupsPath) => journal.Note($"host.reap {cgroupsPath}");

    public IExitWatch Watch(int pid)
    {
        journal.Note($"host.watch {pid}");
        return new Watcher(this);
    }

    public void WaitForInit(int pid) => journal.Note($"host.waitForInit {pid}");

    public void RunHook(ProcessRef p, string hook, IReadOnlyList<string> env, LogFiles logs)
    {
        HookEnv = env;
        HookLogs = logs;
        journal.Note($"host.runHook {hook}");
    }

    public int? LiveHook(ProcessRef p)
    {
        journal.Note($"host.liveHook {p.Name}");
        return LiveHookPid;
    }

    public void KillHook(ProcessRef p, int pid)
    {
        journal.Note($"host.killHook {pid}");
        LiveHookPid = null;
    }

    public void ForgetHook(ProcessRef p) => journal.Note($"host.forgetHook {p.Name}");

    public bool WatchesOpen { get; private set; }

    private sealed class Watcher : IExitWatch
    {
        private readonly FakeHost _host;

        public Watcher(FakeHost host)
        {
            _host = host;
            host.WatchesOpen = true;
        }

        public bool WaitForExit(TimeSpan timeout)
        {
            bool exits = !_host.Exits.TryDequeue(out var scripted) || scripted;
            _host.Journal.Note($"watch.wait {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
            return exits;
        }

        public void Dispose()
        {
            _host.WatchesOpen = false;
            _host.Journal.Note("watch.dispose");
        }
    }

    private Journal Journal => journal;
}
