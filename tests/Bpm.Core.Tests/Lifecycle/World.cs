using Bpm.Bosh;
using Bpm.Config;
using Bpm.Identity;
using Bpm.Lifecycle;
using Bpm.Runc;

namespace Bpm.Tests.Lifecycle;

// A JobLifecycle on a BOSH root under a temp dir, every seam a fake. The root itself is never
// made: the lifecycle reaches the world only through its seams, so nothing may appear there.
// Disposing checks that the test left nothing open (job locks, log files, bpm.logs, watches).
public sealed class World : IDisposable
{
    private readonly string _temp;

    public World()
    {
        _temp = Path.Join(Path.GetTempPath(), "bpm-lifetests-" + Guid.NewGuid().ToString("N"));
        var fakes = Path.Join(_temp, "fakes");
        Directory.CreateDirectory(fakes);
        Root = new BoshRoot(Path.Join(_temp, "root"));
        Clock = new FakeClock();
        Runc = new FakeRunc(Journal, Clock);
        Bundles = new FakeBundles(Journal);
        Host = new FakeHost(Journal, fakes);
        Records = new FakeRecords(Journal);
        Logs = new FakeBpmLogs(Journal);
        Configs = new FakeConfigs(Journal);
        Journal.LockHeld = () => Host.LockHeld;
        Lifecycle = new JobLifecycle(Root, Runc, Bundles, Host, Records, Logs, Configs, Clock);
    }

    public Journal Journal { get; } = new();
    public BoshRoot Root { get; }
    public FakeClock Clock { get; }
    public FakeRunc Runc { get; }
    public FakeBundles Bundles { get; }
    public FakeHost Host { get; }
    public FakeRecords Records { get; }
    public FakeBpmLogs Logs { get; }
    public FakeConfigs Configs { get; }
    public JobLifecycle Lifecycle { get; }

    // The process "web" of the job "web", which the tests use unless they say otherwise.
    public ProcessRef P => ProcessRef.Of(Root, "web");
    public string Id => P.ContainerId;
    // The journal's entry for a detached start of P.
    public string Detached => $"runc.runDetached {Id} {P.BundleDir} {P.PidFile}";

    // Configures a job with one process of its own name (edited as told) and any others.
    public World Job(string job = "web", Func<ProcessConfig, ProcessConfig>? edit = null, params string[] others)
    {
        var main = new ProcessConfig { Name = job, Executable = "/var/vcap/packages/web/bin/web" };
        Configs.Configs[job] = new JobConfig([(edit ?? (c => c))(main), .. others.Select(o => new ProcessConfig { Name = o, Executable = "/bin/" + o })]);
        return this;
    }

    public ContainerState Running(int pid = FakeRunc.ContainerPid) => new(Id, ContainerStatus.Running, pid, Clock.Now.AddMinutes(-5));

    public ContainerState In(ContainerStatus status) => new(Id, status, 0, Clock.Now.AddMinutes(-5));

    public ContainerState Unknown(string problem = "state.json: unexpected end of data") => new(Id, ContainerStatus.Unknown, Problem: problem);

    public LogEntry Log(string eventName) =>
        Logs.Find(eventName) ?? throw new Xunit.Sdk.XunitException($"no bpm.log event {eventName} in: {string.Join(", ", Logs.Events)}");

    public void Dispose()
    {
        var problems = new List<string>(Host.Leaks());
        problems.AddRange(Logs.Made.Where(l => !l.Disposed).Select(_ => "bpm.log"));
        if (Host.WatchesOpen) problems.Add("exit watch");
        if (Directory.Exists(Root.Path)) problems.Add($"the lifecycle wrote under the root itself: {string.Join(", ", Directory.EnumerateFileSystemEntries(Root.Path, "*", SearchOption.AllDirectories))}");
        Directory.Delete(_temp, recursive: true);
        if (problems.Count > 0) throw new InvalidOperationException("left open or written by the test: " + string.Join("; ", problems));
    }
}
