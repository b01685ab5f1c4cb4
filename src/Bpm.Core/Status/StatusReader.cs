using Bpm.Lifecycle;
using Bpm.Logging;
using Bpm.Runc;

namespace Bpm.Status;

// bpm status: runc's view of the container plus its cgroup's figures.
public static class StatusReader
{
    public const string OomReason = "killed by the memory limit";

    public static StatusReport Read(BpmContext ctx, string job, string? process, Func<DateTimeOffset> now)
    {
        var jp = JobLoader.Load(ctx.Root, job, process);
        RuncState? state;
        string? corrupt = null;
        try { state = ctx.Runc.State(jp.ContainerId); }
        catch (RuncStateException e) { state = null; corrupt = e.Message; }

        var report = new StatusReport { Job = jp.Job, Process = jp.Process, ContainerId = jp.ContainerId, State = "stopped" };
        if (corrupt is not null) return report with { State = "unknown", ExitReason = corrupt };
        if (state is null)
        {
            // No container yet: a start may be running the job's pre-start hook.
            if (PreStartMarker.LivePid(jp) is not null) return report with { State = PreStartHook.StatusName };
            return report with { ExitReason = ExitRecord.Read(jp) };
        }

        var stats = ContainerCgroup.Read(ctx.Cgroups, ContainerRecovery.CgroupsPath(ctx, jp), state.Created);
        if (Directory.Exists(jp.Paths.LogDir))
        {
            using var log = new BpmLog("status", jp.Job, jp.Process);
            try
            {
                log.Open(jp.Paths.BpmLog, Host.Users.Lookup(Host.Users.Vcap));
                OomWatch.Check(jp, stats, log);
            }
            catch (BpmException) { }
        }
        bool running = state.Status == "running";
        return report with
        {
            State = Lister.StatusName(state.Status),
            Pid = running && state.Pid > 0 ? state.Pid : null,
            StartedAt = state.Created,
            UptimeSeconds = running ? Math.Round((now() - state.Created).TotalSeconds, 3) : null,
            MemoryBytes = stats?.MemoryBytes,
            MemoryPeakBytes = stats?.MemoryPeakBytes,
            MemoryLimitBytes = stats?.MemoryLimitBytes,
            Pids = stats?.Pids,
            PidsLimit = stats?.PidsLimit,
            CpuSeconds = stats?.CpuSeconds is { } cpu ? Math.Round(cpu, 3) : null,
            OomKills = stats?.OomKills,
            ExitReason = running ? null : ExitReason(stats),
        };
    }

    // A detached process's exit status goes to the host's init, not to bpm (learning it would
    // take a supervising process per container); what the cgroup records is whether the memory
    // limit killed something.
    public static string ExitReason(CgroupStats? stats) =>
        stats?.OomKills > 0 ? OomReason : "exited on its own (exit status not known to bpm)";
}
