using System.Text.Json;
using Bpm.Bosh;
using Bpm.Host;
using Bpm.Lifecycle;

namespace Bpm.Runc;

// Drives the runc binary. Every container bpm owns lives under its own state root
// (sys/run/bpm-runc), so it never sees or touches anyone else's containers. Whether systemd
// manages the cgroups is asked only when runc is run (reading a state needs no runc).
// `adoptWaiter` is given a detached start's waiter as soon as it runs (WaiterCgroup).
public sealed class RuncClient(string runcPath, string stateRoot, Func<bool> systemdCgroup, Action<int>? adoptWaiter = null) : IRunc
{
    public static RuncClient For(BoshRoot root, Func<bool> systemdCgroup, Action<int>? adoptWaiter = null) =>
        new(FindRunc(root), root.RuncRoot, systemdCgroup, adoptWaiter);

    // runc ships as a package of the bpm release; a host install (Debian's runc) also works.
    private static string FindRunc(BoshRoot root) =>
        File.Exists(root.RuncPath) ? root.RuncPath : Tools.TryFind("runc") ?? root.RuncPath;

    private List<string> Global(params string[] args)
    {
        var list = new List<string> { "--root", stateRoot };
        if (systemdCgroup()) list.Add("--systemd-cgroup");
        list.AddRange(args);
        return list;
    }

    private int Spawn(List<string> args, int stdin, int stdout, int stderr, int extra = ChildProcess.Inherit)
    {
        if (!File.Exists(runcPath)) throw new BpmException($"runc not found at {runcPath}");
        return ChildProcess.Spawn(runcPath, args, stdin, stdout, stderr, extra);
    }

    private (int ExitCode, string Stdout, string Stderr) Capture(List<string> args)
    {
        if (!File.Exists(runcPath)) throw new BpmException($"runc not found at {runcPath}");
        return ChildProcess.Capture(runcPath, args);
    }

    private void Check(string what, List<string> args)
    {
        var (code, _, err) = Capture(args);
        if (code != 0) throw new BpmException($"{what}: {Trim(err)} (exit status {code})");
    }

    private static string Trim(string s) => s.Trim().Replace('\n', ' ');

    private bool Exists(string id) => Directory.Exists(Path.Join(stateRoot, id));

    // Its stdio are the log files, so runc's own complaints land in the stderr log too. runc also
    // gets the job lock (as its fd 3, which the container does not inherit): if bpm is killed
    // meanwhile, the lock stays held until runc is done, so a retried start cannot race the
    // half-made container.
    public IDetachedStart BeginDetached() => DetachedStart.Begin(runcPath, args => Global(args), adoptWaiter);

    // runc writes its pidfile into the bundle once the process runs (RuncStart.Wait).
    public IAttachedRun RunAttached(string bundle, string id, LogFiles logs, bool keep) =>
        AttachedRun.Start(logs, (stdout, stderr) =>
        {
            var args = Global("run");
            if (keep) args.Add("--keep");
            args.AddRange(["--pid-file", RuncStart.PidFile(bundle), "--bundle", bundle, id]);
            return Spawn(args, 0, stdout, stderr);
        });

    public ContainerState WaitUntilStarted(string bundle, string id, int runcPid)
    {
        RuncStart.Wait(bundle, runcPid);
        var state = State(id);
        return state.Status == ContainerStatus.Unknown ? ContainerState.AbsentFor(id) : state;
    }

    public int Exec(string id, IReadOnlyList<string> args) =>
        ChildProcess.Wait(Spawn(Global(["exec", .. args]), ChildProcess.Inherit, ChildProcess.Inherit, ChildProcess.Inherit));

    public ContainerState State(string id)
    {
        var dir = Path.Join(stateRoot, id);
        if (!Directory.Exists(dir)) return ContainerState.AbsentFor(id);
        return StateFile.Read(dir, ProcStat.Read) ?? StateFromRunc(id);
    }

    private ContainerState StateFromRunc(string id)
    {
        var (code, stdout, stderr) = Capture(Global("state", id));
        if (code != 0)
        {
            return Exists(id)
                ? new ContainerState(id, ContainerStatus.Unknown, Problem: $"failed to get state of {id}: {Trim(stderr)}")
                : ContainerState.AbsentFor(id);
        }
        try
        {
            var json = JsonSerializer.Deserialize(stdout, RuncJson.Default.RuncStateJson);
            return json is null
                ? new ContainerState(id, ContainerStatus.Unknown, Problem: $"failed to parse state of {id}: empty")
                : new ContainerState(id, ContainerState.Parse(json.Status), json.Pid, json.Created);
        }
        catch (JsonException e)
        {
            return new ContainerState(id, ContainerStatus.Unknown, Problem: $"failed to parse state of {id}: {e.Message}");
        }
    }

    public IReadOnlyList<ContainerState> List()
    {
        if (!Directory.Exists(stateRoot)) return [];
        return Directory.EnumerateDirectories(stateRoot).Select(dir => State(Path.GetFileName(dir)))
            .Where(s => s.Status != ContainerStatus.Absent).ToList();
    }

    public void Kill(string id, string signal) => Check("failed to send signal to container", Global("kill", id, signal));

    public void Delete(string id)
    {
        if (!Exists(id)) return;
        var (code, _, err) = Capture(Global("delete", "--force", id));
        if (code != 0 && Exists(id)) throw new BpmException($"failed to delete container {id}: {Trim(err)}");
    }

    // runc will not delete what it cannot load: the state file goes first, then runc is asked
    // (it may still clean up), then the directory.
    public void Forget(string id)
    {
        var dir = Path.Join(stateRoot, id);
        var file = Path.Join(dir, "state.json");
        if (File.Exists(file)) File.Delete(file);
        Delete(id);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
}
