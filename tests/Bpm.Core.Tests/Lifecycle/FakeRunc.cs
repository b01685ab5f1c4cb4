using Bpm.Host;
using Bpm.Lifecycle;
using Bpm.Runc;

namespace Bpm.Tests.Lifecycle;

// runc as a table of containers. State answers from the scripted queue first, then from the
// table, which the fake's own actions change (a started container runs, a deleted one is absent).
public sealed class FakeRunc(Journal journal, FakeClock clock) : IRunc
{
    public const int ContainerPid = 4242;
    public const int RuncPid = 777;

    private readonly Dictionary<string, ContainerState> _containers = new(StringComparer.Ordinal);

    // Answers to the next State calls, in order, whatever the table says.
    public Queue<ContainerState> States { get; } = new();

    // What List returns; by default the table.
    public List<ContainerState>? Listed { get; set; }

    public int RunDetachedExit { get; set; }
    public int AttachedExit { get; set; }
    // What WaitUntilStarted returns; by default the table's state then.
    public ContainerState? Started { get; set; }

    // What happens elsewhere while a foreground run goes on (a stop, a start).
    public Action? DuringWait { get; set; }
    // Whether the log files were still open while the foreground run went on.
    public bool? LogsOpenDuringWait { get; private set; }
    private LogFiles? _attachedLogs;

    // The lock runc was given to hold, and whether it was still open then.
    public FileLock? HeldByRunc { get; private set; }

    public void Set(ContainerState state) => _containers[state.Id] = state;

    public ContainerState Table(string id) => _containers.GetValueOrDefault(id) ?? ContainerState.AbsentFor(id);

    public ContainerState State(string id)
    {
        journal.Note($"runc.state {id}");
        return States.TryDequeue(out var scripted) ? scripted : Table(id);
    }

    public IReadOnlyList<ContainerState> List()
    {
        journal.Note("runc.list");
        return Listed ?? _containers.Values.ToList();
    }

    // The pid the fake's waiter has; null for a start without one.
    public const int DefaultWaiter = 999;
    public int? WaiterPid { get; set; } = DefaultWaiter;
    // What happens while runc starts a detached container, and while a signal is sent.
    public Action? DuringRunDetached { get; set; }
    public Action? DuringKill { get; set; }
    public bool WaiterDisposed { get; private set; }

    public IDetachedStart BeginDetached() => new Detached(this);

    private sealed class Detached(FakeRunc runc) : IDetachedStart
    {
        public int? WaiterPid => runc.WaiterPid;

        public int Run(string bundle, string id, string pidFile, LogFiles logs, FileLock held, string job, string process) =>
            runc.RunDetached(bundle, id, pidFile, logs, held);

        public void Dispose() => runc.WaiterDisposed = true;
    }

    private int RunDetached(string bundle, string id, string pidFile, LogFiles logs, FileLock held)
    {
        journal.Note($"runc.runDetached {id} {bundle} {pidFile}");
        HeldByRunc = held;
        DuringRunDetached?.Invoke();
        if (logs.Stdout.IsClosed || logs.Stderr.IsClosed) throw new InvalidOperationException("log files closed before runc ran");
        if (RunDetachedExit == 0) Set(Running(id));
        return RunDetachedExit;
    }

    public IAttachedRun RunAttached(string bundle, string id, LogFiles logs, bool keep)
    {
        journal.Note($"runc.runAttached {id} {bundle} keep={keep}");
        Set(Running(id));
        _attachedLogs = logs;
        return new Attached(this, journal, id, keep);
    }

    public ContainerState WaitUntilStarted(string bundle, string id, int runcPid)
    {
        journal.Note($"runc.waitUntilStarted {id} {runcPid}");
        return Started ?? Table(id);
    }

    public void Kill(string id, string signal)
    {
        journal.Note($"runc.kill {id} {signal}");
        DuringKill?.Invoke();
    }

    public void Delete(string id)
    {
        journal.Note($"runc.delete {id}");
        _containers.Remove(id);
    }

    public void Forget(string id)
    {
        journal.Note($"runc.forget {id}");
        _containers.Remove(id);
    }

    public int Exec(string id, IReadOnlyList<string> args)
    {
        journal.Note($"runc.exec {string.Join(' ', args)}");
        return 0;
    }

    public ContainerState Running(string id) => new(id, ContainerStatus.Running, ContainerPid, clock.Now);

    // A foreground run: when it ends, runc deletes the container unless told to keep it.
    private sealed class Attached(FakeRunc runc, Journal journal, string id, bool keep) : IAttachedRun
    {
        public int RuncPid => FakeRunc.RuncPid;

        public int Wait()
        {
            journal.Note("attached.wait");
            runc.LogsOpenDuringWait = runc._attachedLogs is { } logs && !logs.Stdout.IsClosed && !logs.Stderr.IsClosed;
            if (keep) runc.Set(runc.Table(id) with { Status = ContainerStatus.Exited, Pid = 0 });
            else runc._containers.Remove(id);
            runc.DuringWait?.Invoke();
            return runc.AttachedExit;
        }
    }
}
