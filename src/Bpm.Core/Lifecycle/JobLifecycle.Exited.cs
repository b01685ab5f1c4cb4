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

    public ProcessEnd Exited(string job, string? process, int waitStatus, DateTimeOffset at)
    {
        var p = Ref(job, process);
        var state = runc.State(p.ContainerId);
        var stats = host.ReadCgroup(CgroupsPathOf(p), state.Status == ContainerStatus.Absent ? null : state.Created);
        var end = ProcessEnd.Of(waitStatus, at, oomKilled: stats?.OomKills > 0, stoppedByBpm: records.IsStopping(p));
        records.WriteHistory(p, records.ReadHistory(p).Ended(end));
        records.SetWaiter(p, null);
        using var log = logs.For("exited", p);
        if (log.Open(required: false, create: false)) log.Info("", Fields(end));
        return end;
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
