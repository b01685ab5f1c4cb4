using Bpm.Config;
using Bpm.Host;
using Bpm.Identity;
using Bpm.Status;

namespace Bpm.Lifecycle;

// bpm start: one process of a job, detached, under the job lock.
public sealed partial class JobLifecycle
{
    public void Start(string job, string? process)
    {
        var p = Ref(job, process);
        var config = ConfigFor(p, "start");
        using var held = host.Lock(p);
        var vcap = host.Vcap();
        using var log = logs.For("start", p);
        log.Open(required: true);
        log.Info("starting");
        Failing(log, () =>
        {
            if (Launch(p, config, vcap, log, detached: true) is not { } launch) return 0;
            using var files = launch.Logs;
            using var detached = launch.Detached!;
            var history = records.ReadHistory(p);
            int code;
            try
            {
                WriteBundle(p, config, vcap, launch, log);
                // Recorded before runc runs: a process that ends at once is recorded as this start's.
                records.MarkStopping(p, false);
                records.WriteHistory(p, history.Started());
                records.SetWaiter(p, detached.WaiterPid);
                if (detached.WaiterPid is null) log.Info("no-waiter", ("waiter", "its end will not be recorded"));
                code = detached.Run(p.BundleDir, p.ContainerId, p.PidFile, files, held, p.Job, p.Process);
            }
            catch
            {
                Unstart(p, history);
                throw;
            }
            if (code != 0)
            {
                runc.Delete(p.ContainerId);
                Unstart(p, history);
                throw new BpmException($"failed to start job-process: runc run exited with status {code} (see {p.Stderr})");
            }
            log.Info("complete");
            return 0;
        });
    }

    // A start that made no container was no start: the history is put back, if it was changed.
    private void Unstart(ProcessRef p, ExitHistory before)
    {
        if (records.ReadHistory(p) != before) records.WriteHistory(p, before);
        records.SetWaiter(p, null);
        Abandon(p);
    }

    // A launch that made no container leaves nothing: its pins and its bundle (a tmpfs) go.
    private void Abandon(ProcessRef p)
    {
        host.ClearPins(p);
        bundles.Remove(p);
    }

    // What start and run share up to starting the container: the host laid out, the mount
    // sources pinned, the log files open.
    // A background start (`detached`) has its waiter started as soon as there is something to launch.
    private sealed record Prepared(MountSources Sources, LogFiles Logs, IDetachedStart? Detached);

    // Null when the process is already running, and there is nothing to launch.
    private Prepared? Launch(ProcessRef p, ProcessConfig config, UserIds vcap, IBpmLog log, bool detached = false)
    {
        var state = Settle(p, log);
        if (state.IsRunning)
        {
            log.Info("process-already-running");
            // A container left running by a `bpm run` whose bpm was killed has no pidfile, and
            // monit watches the pidfile.
            records.AdoptPidFile(p, state.Pid);
            return null;
        }
        var start = detached ? runc.BeginDetached() : null;
        try
        {
            ClearLeftovers(p, log);
            var sources = host.Prepare(p, config, vcap);
            return new Prepared(sources, host.OpenLogs(p, vcap, log), start);
        }
        catch
        {
            start?.Dispose();
            host.ClearPins(p);
            throw;
        }
    }

    // Runs the pre-start hook, then writes the process's own bundle. A failed hook leaves no
    // bundle behind (one from an earlier start may still be there).
    private void WriteBundle(ProcessRef p, ProcessConfig config, UserIds vcap, Prepared launch, IBpmLog log)
    {
        if (config.PreStart is { Length: > 0 } hook)
        {
            log.Info("running-pre-start-hook", ("hook", hook));
            try
            {
                host.RunHook(p, hook, config, launch.Logs);
            }
            catch (BpmException e)
            {
                log.Error("pre-start-hook-failed", e.Message, ("hook", hook));
                bundles.Remove(p);
                throw;
            }
            log.Info("pre-start-hook-complete", ("hook", hook));
        }
        bundles.Write(p, config, vcap, launch.Sources);
    }
}
