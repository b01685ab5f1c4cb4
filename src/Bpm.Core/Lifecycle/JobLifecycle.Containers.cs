using System.Globalization;
using Bpm.Identity;
using Bpm.Runc;
using Bpm.Status;

namespace Bpm.Lifecycle;

// The one policy for a container's state. Commands that only look (pid, status, list) take it
// as runc recorded it. Commands that hold the job lock (start, run, stop) settle it first: what
// cannot be used is cleared, so that they only ever meet a running container or none. (A run's
// own clean-up looks again, under the lock, at whether the container is still its own.)
public sealed partial class JobLifecycle
{
    // Running or Absent. An unreadable state is torn down by hand; an exited (or never started)
    // container is deleted, its end recorded; a running one has its memory kills reported.
    private ContainerState Settle(ProcessRef p, IBpmLog log)
    {
        var state = runc.State(p.ContainerId);
        switch (state.Status)
        {
            case ContainerStatus.Absent:
                return state;
            case ContainerStatus.Unknown:
                log.Error("corrupt-state", state.Problem ?? "unreadable state");
                Clear(p);
                return ContainerState.AbsentFor(p.ContainerId);
            case ContainerStatus.Running when state.Pid > 0:
                ReportOomKills(p, host.ReadCgroup(CgroupsPathOf(p), null), log);
                return state;
            default:
                log.Info("deleting-stale-container", ("status", state.RuncName));
                AwaitWaiter(p, log);
                Delete(p, log, since: state.Created);
                return ContainerState.AbsentFor(p.ContainerId);
        }
    }

    // runc cannot delete a container it cannot load: its state goes by hand, its processes with
    // its cgroups.
    private void Clear(ProcessRef p)
    {
        runc.Forget(p.ContainerId);
        host.Reap(CgroupsPathOf(p));
        host.ClearPins(p);
    }

    // What a container left when runc lost it entirely, or a bpm was killed halfway: processes
    // still in its cgroups (where the bundle put them, and where a new one would go), staging
    // mounts, a pre-start hook.
    private void ClearLeftovers(ProcessRef p, IBpmLog log)
    {
        KillLeftoverHook(p, log);
        foreach (var path in new[] { bundles.WrittenCgroupsPath(p), bundles.CgroupsPath(p) }.OfType<string>().Distinct(StringComparer.Ordinal))
            host.Reap(path);
        host.ClearPins(p);
    }

    private void KillLeftoverHook(ProcessRef p, IBpmLog log)
    {
        if (host.LiveHook(p) is not { } pid)
        {
            host.ForgetHook(p);
            return;
        }
        log.Info("killing-leftover-pre-start-hook", ("pid", pid.ToString(CultureInfo.InvariantCulture)));
        host.KillHook(p, pid);
    }

    // Deletes a container, first reporting the memory kills its cgroup counted (they go with it),
    // and records why it ended, as `reason` tells from those figures (by default: whether the
    // memory limit killed it). `since`: when the container was made, if known.
    private void Delete(ProcessRef p, IBpmLog log, Func<CgroupStats?, string>? reason = null, string? cgroupsPath = null, DateTimeOffset? since = null)
    {
        var stats = host.ReadCgroup(cgroupsPath ?? CgroupsPathOf(p), since);
        ReportOomKills(p, stats, log);
        runc.Delete(p.ContainerId);
        host.ClearPins(p);
        records.ForgetOomKills(p);
        records.WriteExit(p, reason?.Invoke(stats) ?? ExitReasons.OfDetached(stats, records.ReadHistory(p).End), clock.Now);
    }

    // Memory kills are made visible: whenever bpm looks at a job, those the kernel counted since
    // the last look are written to bpm.log.
    private void ReportOomKills(ProcessRef p, CgroupStats? stats, IBpmLog log)
    {
        if (stats?.OomKills is not { } kills || kills <= 0 || kills <= records.ReportedOomKills(p)) return;
        log.Error("oom-killed", "a process of the job was killed by its memory limit",
            ("oom_kills", kills.ToString(CultureInfo.InvariantCulture)),
            ("memory_limit_bytes", stats.MemoryLimitBytes?.ToString(CultureInfo.InvariantCulture) ?? "none"));
        records.SetReportedOomKills(p, kills);
    }

    // Where the container's cgroups are: as written in its bundle, else where bpm would put them now.
    private string CgroupsPathOf(ProcessRef p) => bundles.WrittenCgroupsPath(p) ?? bundles.CgroupsPath(p);
}
