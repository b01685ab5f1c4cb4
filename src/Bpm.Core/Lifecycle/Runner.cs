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
        var problems = ConfigValidator.Validate(jp.Job, jp.Config, ctx.Root.Path).Select(e => e.Message).ToList();
        if (problems.Count > 0) throw new BpmException(problems[0]);

        using var log = new BpmLog("run", jp.Job, jp.Process);
        var vcap = Users.Lookup(Users.Vcap);
        return log.Failing(() =>
        {
            Launch.Prepared? prepared;
            // The lock covers setup only: a foreground run may last as long as it likes.
            using (FileLock.Acquire(jp.Paths.LockFile))
            {
                Starter.OpenLog(log, jp, vcap, required: true);
                log.Info("starting");
                prepared = Launch.Prepare(ctx, jp, vcap, log);
            }
            if (prepared is null) return 0;
            using var logs = prepared.Logs;
            int code;
            try
            {
                Launch.WriteBundle(ctx, jp, prepared, log);
                code = RunAttached(ctx, jp, logs);
            }
            catch
            {
                MountStage.Clear(ctx.Root, jp.ContainerId);
                throw;
            }
            ContainerRecovery.Delete(ctx, jp, log, stats => ExitRecord.OfExitStatus(code, stats?.OomKills > 0),
                Spec.SpecBuilder.CgroupsPath(jp.ContainerId, prepared.Spec));
            Bundle.Remove(jp.Paths.BundleDir);
            log.Info("complete", ("exit_status", code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return code;
        });
    }

    private static int RunAttached(BpmContext ctx, JobProcess jp, HostPreparation.LogFiles logs)
    {
        var (outR, outW) = Fd.Pipe();
        var (errR, errW) = Fd.Pipe();
        // As big as the tee's buffer: the job rarely waits for bpm, and one read takes all it wrote.
        outR.TrySetPipeSize(Tee.BufferSize);
        errR.TrySetPipeSize(Tee.BufferSize);
        using (outR)
        using (errR)
        {
            int pid;
            using (outW)
            using (errW)
                // Only a memory limit can kill the process from its own cgroup; then the exited
                // container is kept so that the count can be read. Otherwise runc deletes it.
                pid = ctx.Runc.StartForeground(jp.Paths.BundleDir, jp.ContainerId, 0, outW.Value, errW.Value, keep: jp.Config.Limits.Memory is not null);
            var pumps = new[] { Tee.Start(outR, 1, logs.Stdout), Tee.Start(errR, 2, logs.Stderr) };
            int code = ChildProcess.Wait(pid);
            foreach (var t in pumps) t.Join();
            return code;
        }
    }
}
