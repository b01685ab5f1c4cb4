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
        if (ContainerRecovery.RunningOrCleared(ctx, jp, log) is not null)
        {
            log.Info("process-already-running");
            return null;
        }
        var spec = SpecFactory.Context(ctx, jp, vcap);
        HostPreparation.Prepare(ctx, jp, vcap);
        return new Prepared(spec, HostPreparation.OpenLogs(jp, vcap));
    }

    // Runs the pre-start hook, then writes the process's own bundle.
    public static void WriteBundle(BpmContext ctx, JobProcess jp, Prepared prepared, BpmLog log)
    {
        PreStartHook.Run(ctx, jp, prepared.Spec, prepared.Logs, log);
        Bundle.Write(jp.Paths.BundleDir, SpecBuilder.Build(jp.Config, prepared.Spec));
    }
}
