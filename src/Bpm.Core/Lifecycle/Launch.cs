using Bpm.Host;
using Bpm.Logging;
using Bpm.Spec;

namespace Bpm.Lifecycle;

// What start and run share: everything up to starting the container.
public static class Launch
{
    public sealed record Prepared(SpecContext Spec, HostPreparation.LogFiles Logs);

    // Null when the process is already running, and there is nothing to launch.
    public static Prepared? Prepare(BpmContext ctx, JobProcess jp, UserIds vcap, BpmLog log)
    {
        if (ContainerRecovery.RunningOrCleared(ctx, jp, log) is { } running)
        {
            log.Info("process-already-running");
            AdoptPidFile(jp, running.Pid);
            return null;
        }
        PreStartHook.KillLeftover(jp, log);
        var spec = SpecFactory.Context(ctx, jp, vcap);
        // Processes of a container whose runc state was lost entirely still sit in its cgroup;
        // a new container there would run beside them.
        CgroupReaper.KillAndRemove(ctx.Cgroups, SpecBuilder.CgroupsPath(jp.ContainerId, spec));
        try
        {
            var stage = HostPreparation.Prepare(ctx, jp, vcap);
            return new Prepared(spec with { StagedSources = stage.Sources }, HostPreparation.OpenLogs(jp, vcap, log));
        }
        catch
        {
            MountStage.Clear(ctx.Root, jp.ContainerId);
            throw;
        }
    }

    // A container left running by a `bpm run` whose bpm was killed has no pidfile; monit
    // watches the pidfile, so the running container is recorded there.
    private static void AdoptPidFile(JobProcess jp, int pid)
    {
        var text = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            if (File.Exists(jp.Paths.PidFile) && File.ReadAllText(jp.Paths.PidFile) == text) return;
            Directories.EnsureRootOwned(jp.Paths.PidDir);
            SafeFiles.WriteAtomic(jp.Paths.PidFile, System.Text.Encoding.ASCII.GetBytes(text));
        }
        catch (IOException) { }
    }

    // Runs the pre-start hook, then writes the process's own bundle. A failed hook leaves no
    // bundle behind (one from an earlier start may still be there).
    public static void WriteBundle(BpmContext ctx, JobProcess jp, Prepared prepared, BpmLog log)
    {
        try
        {
            PreStartHook.Run(jp, SpecBuilder.Environment(jp.Config, prepared.Spec.Paths), prepared.Logs, log);
        }
        catch (BpmException)
        {
            Bundle.Remove(jp.Paths.BundleDir);
            throw;
        }
        Bundle.Write(jp.Paths.BundleDir, SpecBuilder.Build(jp.Config, prepared.Spec));
    }
}
