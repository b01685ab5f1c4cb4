using Bpm.Config;
using Bpm.Identity;
using Bpm.Runc;
using Bpm.Status;

namespace Bpm.Lifecycle;

// The commands that only look: pid (and shell and trace, which need it), status and list. They
// take no lock and change nothing but bpm.log.
public sealed partial class JobLifecycle
{
    public const string NotRunning = "process is not running or could not be found";

    // From the names alone, as the original: a job without a bpm.yml, or a process it does not
    // define, is simply not running.
    public int Pid(string job, string? process) => RunningPid(Ref(job, process));

    // A bash in the running container, on the caller's terminal.
    public int Shell(string job, string? process, string term)
    {
        var p = Ref(job, process);
        RunningPid(p);
        return runc.Exec(p.ContainerId, ["--tty", "--env", "TERM=" + term, p.ContainerId, "/bin/bash"]);
    }

    private int RunningPid(ProcessRef p) =>
        runc.State(p.ContainerId) is { IsRunning: true } state ? state.Pid : throw new BpmException(NotRunning);

    public StatusReport Status(string job, string? process)
    {
        var p = Ref(job, process);
        Find(configs.Load(p.Job), p);
        var state = runc.State(p.ContainerId);
        var history = records.ReadHistory(p);
        var report = new StatusReport { Job = p.Job, Process = p.Process, ContainerId = p.ContainerId, State = state.Name }
            .WithHistory(history, state.IsRunning);
        switch (state.Status)
        {
            case ContainerStatus.Unknown:
                return report with { ExitReason = state.Problem };
            // No container yet: a start may be running the job's pre-start hook.
            case ContainerStatus.Absent when host.LiveHook(p) is not null:
                return report with { State = StatusReport.HookRunning };
            case ContainerStatus.Absent:
                return report with { ExitReason = records.ReadExit(p) };
        }

        var stats = host.ReadCgroup(CgroupsPathOf(p), state.Created);
        using (var log = logs.For("status", p))
            if (log.Open(required: false, create: false)) ReportOomKills(p, stats, log);
        bool running = state.IsRunning;
        return report with
        {
            Pid = running ? state.Pid : null,
            StartedAt = state.Created,
            UptimeSeconds = running ? Math.Round((clock.Now - state.Created).TotalSeconds, 3) : null,
            MemoryBytes = stats?.MemoryBytes,
            MemoryPeakBytes = stats?.MemoryPeakBytes,
            MemoryLimitBytes = stats?.MemoryLimitBytes,
            Pids = stats?.Pids,
            PidsLimit = stats?.PidsLimit,
            CpuSeconds = stats?.CpuSeconds is { } cpu ? Math.Round(cpu, 3) : null,
            OomKills = stats?.OomKills,
            // Only a container whose process has ended has a reason; one being made, or paused, has none.
            ExitReason = state.Status == ContainerStatus.Exited ? ExitReasons.OfDetached(stats, history.End) : null,
        };
    }

    // Every process configured under jobs/ merged with the containers runc knows. A job whose
    // bpm.yml cannot be used is reported (job, reason) and left out; the others are listed.
    public List<ProcessStatus> List(Action<string, string> reportInvalid)
    {
        var known = new Dictionary<string, ContainerState>(StringComparer.Ordinal);
        foreach (var c in runc.List()) known[c.Id] = c;
        var rows = new Dictionary<string, ProcessStatus>(StringComparer.Ordinal);
        foreach (var job in configs.Jobs())
        {
            JobConfig config;
            try
            {
                config = configs.Load(job);
            }
            catch (BpmException e)
            {
                reportInvalid(job, e.Message);
                continue;
            }
            foreach (var proc in config.Processes)
            {
                var p = Ref(job, proc.Name);
                var state = known.GetValueOrDefault(p.ContainerId) ?? ContainerState.AbsentFor(p.ContainerId);
                rows[p.ContainerId] = Row(p.Name, job, proc.Name, state) with
                {
                    End = state.Status == ContainerStatus.Exited ? records.ReadHistory(p).End : null,
                };
            }
        }
        foreach (var (id, state) in known)
        {
            if (rows.ContainsKey(id) || !id.StartsWith(ContainerIds.Prefix, StringComparison.Ordinal)) continue;
            string name;
            try { name = ContainerIds.Decode(id); }
            catch (BpmException) { continue; }
            rows[id] = Row(name, null, null, state);
        }
        return rows.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    private static ProcessStatus Row(string name, string? job, string? process, ContainerState state) =>
        new(name, job, process, state.Id, state.IsRunning ? state.Pid : null, state.Name);
}
