using Bpm.Host;
using Bpm.Logging;

namespace Bpm.Lifecycle;

// bpm stop: the shutdown signal, up to 15 s, QUIT, up to 2 s, then a forced delete. Waiting is
// on the container's init process itself, so a job that exits at once is stopped at once.
public static class Stopper
{
    // The job's names alone lead to the lock, bpm.log and the container: a job with no container
    // is stopped without its bpm.yml being read, and one whose bpm.yml has since broken (or no
    // longer defines the process) is still stopped, with the default signal, the problem logged.
    public static void Stop(BpmContext ctx, string job, string? process)
    {
        var paths = JobLoader.PathsFor(ctx.Root, job, process);
        using var held = FileLock.Acquire(paths.LockFile);
        using var log = new BpmLog("stop", paths.Job, paths.Process);
        var vcap = Users.Lookup(Users.Vcap);
        Starter.OpenLog(log, paths, vcap, required: false);
        log.Info("starting");
        log.Failing(() =>
        {
            var runc = ctx.Runc;
            // Until the config is read, the default: the paths are all that recovery needs.
            var jp = new JobProcess(paths, new Config.ProcessConfig { Name = paths.Process });
            Runc.RuncState? state;
            try
            {
                state = runc.State(jp.ContainerId);
            }
            catch (Runc.RuncStateException e)
            {
                // Unreadable state: nothing to signal, but the container must still go.
                log.Error("corrupt-state", e.Message);
                ContainerRecovery.Clear(ctx, jp);
                state = null;
            }

            if (state is null)
            {
                log.Info("job-already-stopped");
                // Processes whose runc state was lost entirely are still in the container's cgroup.
                CgroupReaper.KillAndRemove(ctx.Cgroups, ContainerRecovery.CgroupsPath(ctx, jp));
                // A bpm killed between staging and starting the container left its pins behind.
                MountStage.Clear(ctx.Root, jp.ContainerId);
            }
            else
            {
                jp = WithConfig(ctx, jp, log);
                var reason = state.Status == "running" ? Signal(runc, jp, state.Pid, log) : null;
                ContainerRecovery.Delete(ctx, jp, log, reason is null ? null : _ => reason, since: state.Created);
            }
            PreStartHook.KillLeftover(jp, log);
            Bundle.Remove(paths.BundleDir);
            if (File.Exists(paths.PidFile)) File.Delete(paths.PidFile);
            log.Info("complete");
        });
    }

    // The configured shutdown signal when bpm.yml still says it; else the default, so that
    // what bpm started can always be stopped.
    private static JobProcess WithConfig(BpmContext ctx, JobProcess jp, BpmLog log)
    {
        Config.JobConfig config;
        try
        {
            config = JobLoader.LoadConfig(ctx.Root, jp.Job);
        }
        catch (BpmException e)
        {
            log.Error("failed-to-parse-config", e.Message);
            return jp;
        }
        try
        {
            return jp with { Config = JobLoader.Find(config, jp.Paths) };
        }
        catch (BpmException e)
        {
            log.Error("process-not-defined", e.Message);
            return jp;
        }
    }

    // Returns how the process ended, for `bpm status`.
    private static string Signal(Runc.RuncClient runc, JobProcess jp, int pid, BpmLog log)
    {
        using var watch = ProcessWatch.Open(pid);
        WaitForInit(pid);
        var signal = StopSequence.ShutdownSignal(jp.Config);
        try { runc.Kill(jp.ContainerId, signal); }
        catch (BpmException e)
        {
            // Nothing was signalled, so there is nothing to wait for: go straight to the delete.
            log.Error("failed-to-signal", e.Message, ("signal", signal));
            return "stopped by bpm: killed (the shutdown signal could not be sent)";
        }
        if (watch.WaitForExit(StopSequence.Grace))
        {
            log.Info("process-exited", ("signal", signal));
            return $"stopped by bpm: exited after {signal}";
        }
        log.Info("sending-sigquit");
        try { runc.Kill(jp.ContainerId, "QUIT"); }
        catch (BpmException e) { log.Error("failed-to-signal", e.Message, ("signal", "QUIT")); }
        if (watch.WaitForExit(StopSequence.QuitGrace)) return "stopped by bpm: exited after QUIT";
        log.Info("forcefully-deleting");
        return "stopped by bpm: killed after ignoring TERM and QUIT";
    }

    // runc returns from a detached start before tini has set up its signal handling, and until
    // then the kernel drops a TERM sent to the init of a pid namespace: a stop right after a
    // start would wait the whole 15 s. tini ignores TTIN and TTOU once it is ready.
    private static void WaitForInit(int pid)
    {
        const ulong ready = (1UL << (21 - 1)) | (1UL << (22 - 1));
        var deadline = Environment.TickCount64 + 2000;
        while (ProcStatus.SignalMask(pid, "SigIgn") is { } ignored && (ignored & ready) != ready && Environment.TickCount64 < deadline)
            Thread.Sleep(1);
    }
}
