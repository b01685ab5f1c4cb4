using Bpm.Host;
using Bpm.Runc;

namespace Bpm.Lifecycle;

// What the lifecycle asks of runc. Every call names a container by its ID.
public interface IRunc
{
    // Absent when runc has no such container; Unknown (with the reason) when its state cannot be read.
    ContainerState State(string id);

    // Every container under bpm's state root; an unreadable one is listed as Unknown.
    IReadOnlyList<ContainerState> List();

    // Gets a background start ready: its waiter is started at once, so that it is up by the time
    // the bundle is.
    IDetachedStart BeginDetached();

    // Starts the container in the foreground, its output both to bpm's own and to the log files.
    // With `keep`, runc leaves the exited container to be inspected and deleted.
    IAttachedRun RunAttached(string bundle, string id, LogFiles logs, bool keep);

    // Returns once the container of the run whose runc is `runcPid` has started its process,
    // or runc has given up: that container as it was then (Absent if runc made none).
    ContainerState WaitUntilStarted(string bundle, string id, int runcPid);

    // Throws a BpmException when the signal cannot be sent.
    void Kill(string id, string signal);

    // Deletes the container, forcibly; nothing happens when there is none.
    void Delete(string id);

    // Tears down a container runc cannot load: its state is removed by hand (its processes are
    // the host's to kill, through the cgroups).
    void Forget(string id);

    int Exec(string id, IReadOnlyList<string> args);
}

// A container started in the background, and the waiter that records how its process ends.
// Disposed without Run, the waiter goes without starting anything.
public interface IDetachedStart : IDisposable
{
    // Null when there is no waiter (none beside bpm, or it failed to start): the container runs
    // all the same, and its end is not recorded.
    int? WaiterPid { get; }

    // Creates and starts the container, its output to the log files; runc holds the job lock too
    // while it works. Returns runc's exit status.
    int Run(string bundle, string id, string pidFile, LogFiles logs, FileLock held, string job, string process);
}

// A foreground run: runc's pid, and its exit status once it and all its output are done.
public interface IAttachedRun
{
    int RuncPid { get; }
    int Wait();
}
