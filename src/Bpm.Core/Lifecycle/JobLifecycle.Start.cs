using Bpm.Config;
using Bpm.Host;
using Bpm.Identity;

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
            if (Launch(p, config, vcap, log) is not { } launch) return 0;
            using var files = launch.Logs;
            int code;
            try
            {
                WriteBundle(p, config, vcap, launch, log);
                code = runc.RunDetached(p.BundleDir, p.ContainerId, p.PidFile, files, held);
            }
            catch
            {
                Abandon(p);
                throw;
            }
            if (code != 0)
            {
                runc.Delete(p.ContainerId);
                Abandon(p);
                throw new BpmException($"failed to start job-process: runc run exited with status {code} (see {p.Stderr})");
            }
            log.Info("complete");
            return 0;
        });
    }

    // A launch that made no container leaves nothing: its pins and its bundle (a tmpfs) go.
    private void Abandon(ProcessRef p)
    {
        host.ClearPins(p);
        bundles.Remove(p);
    }

    // What start and run share up to starting the container: the host laid out, the mount
    // sources pinned, the log files open.
    private sealed record Prepared(MountSources Sources, LogFiles Logs);

    // Null when the process is already running, and there is nothing to launch.
    private Prepared? Launch(ProcessRef p, ProcessConfig config, UserIds vcap, IBpmLog log)
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
        ClearLeftovers(p, log);
        try
        {
            var sources = host.Prepare(p, config, vcap);
            return new Prepared(sources, host.OpenLogs(p, vcap, log));
        }
        catch
        {
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
