using Bpm.Config;
using Bpm.Host;
using Bpm.Logging;
using Bpm.Spec;
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
        var problems = ConfigValidator.Validate(jp.Job, jp.Config).Select(e => e.Message).ToList();
        if (problems.Count > 0) throw new BpmException(problems[0]);

        using var log = new BpmLog("run", jp.Job, jp.Process);
        var vcap = Users.Lookup(Users.Vcap);
        HostPreparation.LogFiles logs;
        SpecContext specCtx;
        // The lock covers setup only: a foreground run may last as long as it likes.
        using (FileLock.Acquire(jp.Paths.LockFile))
        {
            Starter.OpenLog(log, jp, vcap);
            log.Info("starting");
            if (ContainerRecovery.RunningOrCleared(ctx, jp, log) is not null)
            {
                log.Info("process-already-running");
                return 0;
            }
            specCtx = SpecFactory.Context(ctx, jp, vcap);
            HostPreparation.Prepare(ctx, jp, vcap);
            logs = HostPreparation.OpenLogs(jp, vcap);
        }
        using (logs)
        {
            PreStartHook.Run(ctx, jp, specCtx, logs, log);
            Bundle.Write(jp.Paths.BundleDir, SpecBuilder.Build(jp.Config, specCtx));
            int code;
            var (outR, outW) = Fd.Pipe();
            var (errR, errW) = Fd.Pipe();
            using (outR)
            using (errR)
            {
                int pid;
                using (outW)
                using (errW)
                    pid = ctx.Runc.StartForeground(jp.Paths.BundleDir, jp.ContainerId, 0, outW.Value, errW.Value, keep: true);
                var pumps = new[] { Tee.Start(outR, 1, logs.Stdout), Tee.Start(errR, 2, logs.Stderr) };
                code = ChildProcess.Wait(pid);
                foreach (var t in pumps) t.Join();
            }
            // The kept container's cgroup still holds the memory-kill count.
            OomWatch.Check(jp, ContainerCgroup.Read(ContainerRecovery.CgroupsPath(ctx, jp)), log);
            if (ctx.Runc.Exists(jp.ContainerId)) ctx.Runc.Delete(jp.ContainerId, force: true);
            OomWatch.Forget(jp);
            Bundle.Remove(jp.Paths.BundleDir);
            log.Info("complete", ("exit_status", code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return code;
        }
    }
}
