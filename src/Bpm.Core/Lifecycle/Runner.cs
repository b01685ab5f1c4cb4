using Bpm.Config;
using Bpm.Host;
using Bpm.Logging;
using Bpm.Status;

namespace Bpm.Lifecycle;

// bpm run: the process in the foreground, its output both on the caller's stdout/stderr and
// in the log files; returns the process's exit status.
public static class Runner
{
    public static int Run(BpmContext ctx, string job, string? process, IReadOnlyList<string> volumes, IReadOnlyList<string> env)
    {
        var jp = Starter.LoadForCommand(ctx, job, process, "run");
        var extraVolumes = volumes.Select(RunOverrides.ParseVolume).ToList();
        var extraEnv = env.Select(RunOverrides.ParseEnv).ToList();
        jp = jp with { Config = RunOverrides.Apply(jp.Config, extraVolumes, extraEnv) };
        var problems = ConfigValidator.Validate(jp.Job, jp.Config, ctx.Root.Path, StackLimit.ExecTotal()).Select(e => e.Message).ToList();
        if (problems.Count > 0) throw new BpmException(problems[0]);

        using var log = new BpmLog("run", jp.Job, jp.Process);
        var vcap = Users.Lookup(Users.Vcap);
        return log.Failing(() =>
        {
            Launch.Prepared? prepared;
            Attached attached;
            Container own;
            // The lock is held until runc has made the container and started its process (the
            // pre-start hook included, which is bounded), so that a start or stop that comes
            // meanwhile finds the container rather than rewriting or deleting its bundle. Then a
            // foreground run may last as long as it likes.
            using (FileLock.Acquire(jp.Paths.LockFile))
            {
                Starter.OpenLog(log, jp.Paths, vcap, required: true);
                log.Info("starting");
                prepared = Launch.Prepare(ctx, jp, vcap, log);
                if (prepared is null) return 0;
                try
                {
                    Launch.WriteBundle(ctx, jp, prepared, log);
                    attached = Attached.Start(ctx, jp, prepared.Logs);
                }
                catch
                {
                    prepared.Logs.Dispose();
                    MountStage.Clear(ctx.Root, jp.ContainerId);
                    throw;
                }
                own = WaitForContainer(ctx, jp, attached.RuncPid);
            }
            int code;
            using (prepared.Logs)
                code = attached.Wait();

            // The clean-up takes the lock again: a stop of this run may be clearing up the same
            // container and bundle right now, and a start may since have made a new container.
            using (FileLock.Acquire(jp.Paths.LockFile))
                CleanUp(ctx, jp, log, own, code, Spec.SpecBuilder.CgroupsPath(jp.ContainerId, prepared.Spec));
            log.Info("complete", ("exit_status", code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return code;
        });
    }

    // This run's container, as runc recorded it once made: a container made later under the
    // same ID (by a start, after this one ended) has another creation time.
    private sealed record Container(DateTimeOffset? Created, int Pid);

    // Returns once the container's process has started (or already ended), or runc has given up.
    private static Container WaitForContainer(BpmContext ctx, JobProcess jp, int runcPid)
    {
        ctx.Runc.WaitStarted(jp.Paths.BundleDir, runcPid);
        return TryState(ctx, jp) is { } state ? new Container(state.Created, state.Pid) : new Container(null, 0);
    }

    // Null while runc is still writing the state, or when there is none.
    private static Runc.RuncState? TryState(BpmContext ctx, JobProcess jp)
    {
        try { return ctx.Runc.State(jp.ContainerId); }
        catch (Runc.RuncStateException) { return null; }
    }

    private static void CleanUp(BpmContext ctx, JobProcess jp, BpmLog log, Container own, int code, string cgroupsPath)
    {
        var now = TryState(ctx, jp);
        if (now is not null && now.Created != own.Created)
        {
            // A start made a container of its own after this one ended: it is not ours to remove.
            log.Info("container-replaced");
            return;
        }
        if (now is null && !Directory.Exists(jp.Paths.BundleDir))
        {
            // A stop has removed the container and its bundle, and recorded why it ended.
            return;
        }
        ContainerRecovery.Delete(ctx, jp, log, stats => ExitRecord.OfExitStatus(code, stats?.OomKills > 0), cgroupsPath, own.Created);
        Bundle.Remove(jp.Paths.BundleDir);
        // A start that found this run's container running recorded it in the pidfile, for monit.
        var text = own.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            if (own.Pid > 0 && File.Exists(jp.Paths.PidFile) && File.ReadAllText(jp.Paths.PidFile) == text) File.Delete(jp.Paths.PidFile);
        }
        catch (IOException) { }
    }

    // runc in the foreground with its output going through bpm, to the caller and the logs.
    private sealed class Attached(int runcPid, Fd outR, Fd errR, Thread[] pumps)
    {
        public int RuncPid => runcPid;

        public static Attached Start(BpmContext ctx, JobProcess jp, HostPreparation.LogFiles logs)
        {
            var (outR, outW) = Fd.Pipe();
            var (errR, errW) = Fd.Pipe();
            // As big as the tee's buffer: the job rarely waits for bpm, and one read takes all it wrote.
            outR.TrySetPipeSize(Tee.BufferSize);
            errR.TrySetPipeSize(Tee.BufferSize);
            int pid;
            try
            {
                using (outW)
                using (errW)
                    // Only a memory limit can kill the process from its own cgroup; then the exited
                    // container is kept so that the count can be read. Otherwise runc deletes it.
                    pid = ctx.Runc.StartForeground(jp.Paths.BundleDir, jp.ContainerId, 0, outW.Value, errW.Value, keep: jp.Config.Limits.Memory is not null);
            }
            catch
            {
                outR.Dispose();
                errR.Dispose();
                throw;
            }
            return new Attached(pid, outR, errR, [Tee.Start(outR, 1, logs.Stdout), Tee.Start(errR, 2, logs.Stderr)]);
        }

        // runc's exit status, which is the container's; returns once all output is copied.
        public int Wait()
        {
            using (outR)
            using (errR)
            {
                int code = ChildProcess.Wait(runcPid);
                foreach (var t in pumps) t.Join();
                return code;
            }
        }
    }
}
