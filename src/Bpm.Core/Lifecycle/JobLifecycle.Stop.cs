using Bpm.Config;
using Bpm.Identity;

namespace Bpm.Lifecycle;

// bpm stop: the shutdown signal, up to 15 s, QUIT, up to 2 s, then a forced delete. Waiting is
// on the container's init process itself, so a job that exits at once is stopped at once.
public sealed partial class JobLifecycle
{
    // The job's names alone lead to the lock, bpm.log and the container: a job with no container
    // is stopped without its bpm.yml being read, and one whose bpm.yml has since broken (or no
    // longer defines the process) is still stopped, with the default signal, the problem logged.
    public void Stop(string job, string? process)
    {
        var p = Ref(job, process);
        using var held = host.Lock(p);
        host.Vcap();
        using var log = logs.For("stop", p);
        log.Open(required: false);
        log.Info("starting");
        Failing(log, () =>
        {
            var state = Settle(p, log);
            if (state.IsRunning)
            {
                records.MarkStopping(p, true);
                var (reason, exited) = Signal(p, StopConfig(p, log), state.Pid, log);
                // The waiter records the end before the container (and its cgroup) goes; a
                // process that had to be killed ends only with the delete.
                if (exited) AwaitWaiter(p, log);
                Delete(p, log, _ => reason, since: state.Created);
                if (!exited) AwaitWaiter(p, log);
                KillLeftoverHook(p, log);
            }
            else
            {
                log.Info("job-already-stopped");
                ClearLeftovers(p, log);
            }
            bundles.Remove(p);
            records.RemovePidFile(p);
            // A waiter that has not finished (it had its grace) keeps the marker it will look at.
            if (records.LiveWaiter(p) is null)
            {
                records.SetWaiter(p, null);
                records.MarkStopping(p, false);
            }
            // Restarts count from here; a process never started gets no record.
            if (records.ReadHistory(p) is { Starts: > 0 } history) records.WriteHistory(p, history.Stopped());
            log.Info("complete");
            return 0;
        });
    }

    // The configured shutdown signal when bpm.yml still says it; else the default, so that
    // what bpm started can always be stopped.
    private ProcessConfig StopConfig(ProcessRef p, IBpmLog log)
    {
        var fallback = new ProcessConfig { Name = p.Process };
        JobConfig config;
        try
        {
            config = configs.Load(p.Job);
        }
        catch (BpmException e)
        {
            log.Error("failed-to-parse-config", e.Message);
            return fallback;
        }
        try
        {
            return Find(config, p);
        }
        catch (BpmException e)
        {
            log.Error("process-not-defined", e.Message);
            return fallback;
        }
    }

    // Returns how the process ended, for `bpm status`, and whether it did before the delete.
    private (string Reason, bool Exited) Signal(ProcessRef p, ProcessConfig config, int pid, IBpmLog log)
    {
        using var watch = host.Watch(pid);
        host.WaitForInit(pid);
        var signal = StopSequence.ShutdownSignal(config);
        try { runc.Kill(p.ContainerId, signal); }
        catch (BpmException e)
        {
            // Nothing was signalled, so there is nothing to wait for: go straight to the delete.
            log.Error("failed-to-signal", e.Message, ("signal", signal));
            return ("stopped by bpm: killed (the shutdown signal could not be sent)", false);
        }
        if (watch.WaitForExit(StopSequence.Grace))
        {
            log.Info("process-exited", ("signal", signal));
            return ($"stopped by bpm: exited after {signal}", true);
        }
        log.Info("sending-sigquit");
        try { runc.Kill(p.ContainerId, "QUIT"); }
        catch (BpmException e) { log.Error("failed-to-signal", e.Message, ("signal", "QUIT")); }
        if (watch.WaitForExit(StopSequence.QuitGrace)) return ("stopped by bpm: exited after QUIT", true);
        log.Info("forcefully-deleting");
        return ("stopped by bpm: killed after ignoring TERM and QUIT", false);
    }
}
