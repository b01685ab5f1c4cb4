using System.Globalization;
using Bpm.Config;
using Bpm.Identity;
using Bpm.Runc;
using Bpm.Status;

namespace Bpm.Lifecycle;

// bpm run: the process in the foreground, its output both on the caller's stdout/stderr and in
// the log files; returns the process's exit status.
public sealed partial class JobLifecycle
{
    public int Run(string job, string? process, IReadOnlyList<string> volumes, IReadOnlyList<string> env)
    {
        var p = Ref(job, process);
        var config = ConfigFor(p, "run");
        var extraVolumes = volumes.Select(RunOverrides.ParseVolume).ToList();
        var extraEnv = env.Select(RunOverrides.ParseEnv).ToList();
        config = RunOverrides.Apply(config, extraVolumes, extraEnv);
        if (configs.Check(p.Job, config) is [var problem, ..]) throw new BpmException(problem);

        var vcap = host.Vcap();
        using var log = logs.For("run", p);
        return Failing(log, () =>
        {
            Prepared? launch;
            IAttachedRun attached;
            ContainerState own;
            // The lock is held until runc has made the container and started its process (the
            // pre-start hook included, which is bounded), so that a start or stop that comes
            // meanwhile finds the container rather than rewriting or deleting its bundle. Then a
            // foreground run may last as long as it likes.
            using (host.Lock(p))
            {
                log.Open(required: true);
                log.Info("starting");
                launch = Launch(p, config, vcap, log);
                if (launch is null) return 0;
                try
                {
                    WriteBundle(p, config, vcap, launch, log);
                    // Only a memory limit can kill the process from its own cgroup; then the exited
                    // container is kept so that the count can be read. Otherwise runc deletes it.
                    attached = runc.RunAttached(p.BundleDir, p.ContainerId, launch.Logs, keep: config.Limits.Memory is not null);
                }
                catch
                {
                    launch.Logs.Dispose();
                    Abandon(p);
                    throw;
                }
                own = runc.WaitUntilStarted(p.BundleDir, p.ContainerId, attached.RuncPid);
            }
            int code;
            using (launch.Logs)
                code = attached.Wait();

            // The clean-up takes the lock again: a stop of this run may be clearing up the same
            // container and bundle right now, and a start may since have made a new container.
            using (host.Lock(p))
                CleanUpRun(p, log, own, code);
            log.Info("complete", ("exit_status", code.ToString(CultureInfo.InvariantCulture)));
            return code;
        });
    }

    // `own`: this run's container as runc recorded it once made. A container made later under
    // the same ID (by a start, after this one ended) has another creation time.
    private void CleanUpRun(ProcessRef p, IBpmLog log, ContainerState own, int code)
    {
        var now = runc.State(p.ContainerId);
        bool present = now.Status is not (ContainerStatus.Absent or ContainerStatus.Unknown);
        if (present && now.Created != own.Created)
        {
            // A start made a container of its own after this one ended: it is not ours to remove.
            log.Info("container-replaced");
            return;
        }
        // A stop has removed the container and its bundle, and recorded why it ended.
        if (!present && !bundles.Exists(p)) return;
        Delete(p, log, stats => ExitReasons.OfExitStatus(code, stats?.OomKills > 0), bundles.CgroupsPath(p),
            own.Status == ContainerStatus.Absent ? null : own.Created);
        bundles.Remove(p);
        // A start that found this run's container running recorded it in the pidfile, for monit.
        if (own.Pid > 0) records.RemovePidFile(p, onlyIfPid: own.Pid);
    }
}
