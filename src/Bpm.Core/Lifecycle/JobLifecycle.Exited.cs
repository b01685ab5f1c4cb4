using System.Globalization;
using Bpm.Identity;
using Bpm.Runc;
using Bpm.Status;

namespace Bpm.Lifecycle;

// How a detached process ended: its waiter runs `bpm exited` with the wait status once the
// container's init is gone. It takes no job lock (a stop that holds it waits for the waiter);
// each record is written whole.
public sealed partial class JobLifecycle
{
    // How long a start or stop waits for the waiter of a container that has ended to record it:
    // it does so in milliseconds, unless its bpm cannot run at all.
    public static readonly TimeSpan WaiterGrace = TimeSpan.FromSeconds(5);

    // `waiter`: the pid of the waiter that became this command (the same process).
    public ProcessEnd Exited(string job, string? process, int waitStatus, DateTimeOffset at, int waiter)
    {
        var p = Ref(job, process);
        var history = records.ReadHistory(p);
        // A waiter that comes late (stopped, then resumed after a start gave up on it and made
        // another container) ends the container before the one that runs now: that one's
        // records, state and cgroup are not its own.
        if (records.LiveWaiter(p) is { } current && current != waiter)
        {
            var late = ProcessEnd.Of(waitStatus, at, oomKilled: false, stoppedByBpm: false);
            if (history.LastExit is null) records.WriteHistory(p, history with { LastExit = late });
            Log(p, late, ("late", "true"));
            return late;
        }
        var state = runc.State(p.ContainerId);
        var stats = host.ReadCgroup(CgroupsPathOf(p), state.Status == ContainerStatus.Absent ? null : state.Created);
        var end = ProcessEnd.Of(waitStatus, at, oomKilled: stats?.OomKills > 0, stoppedByBpm: records.IsStopping(p));
        records.WriteHistory(p, history.Ended(end));
        records.SetWaiter(p, null);
        Log(p, end);
        return end;
    }

    private void Log(ProcessRef p, ProcessEnd end, params (string, string)[] extra)
    {
        using var log = logs.For("exited", p);
        if (log.Open(required: false, create: false)) log.Info("", [.. Fields(end), .. extra]);
    }

    // bpm.log's data are strings; what is not known is left out.
    private static (string, string)[] Fields(ProcessEnd end)
    {
        var fields = new List<(string, string)>();
        if (end.ExitCode is { } code) fields.Add(("exit_code", code.ToString(CultureInfo.InvariantCulture)));
        if (end.ExitSignal is { } signal) fields.Add(("exit_signal", signal));
        fields.Add(("exited_at", end.ExitedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)));
        fields.Add(("oom_killed", end.OomKilled ? "true" : "false"));
        fields.Add(("stopped_by_bpm", end.StoppedByBpm ? "true" : "false"));
        return [.. fields];
    }

    // Lets the waiter of a container whose process has ended record that end before bpm deletes
    // the container (its cgroup holds the memory kills) or starts another.
    private void AwaitWaiter(ProcessRef p, IBpmLog log)
    {
        if (records.LiveWaiter(p) is not { } pid) return;
        using var watch = host.Watch(pid);
        if (!watch.WaitForExit(WaiterGrace))
            log.Error("waiter-did-not-finish", "the waiter did not record the end in time", ("pid", pid.ToString(CultureInfo.InvariantCulture)));
    }
}
