using Bpm.Host;
using Bpm.Spec;

namespace Bpm.Lifecycle;

// The pre_start hook runs to completion in the job's own container shape, before the process.
public static class PreStartHook
{
    public static void Run(BpmContext ctx, JobProcess jp, SpecContext specCtx, HostPreparation.LogFiles logs, Logging.BpmLog log)
    {
        if (string.IsNullOrEmpty(jp.Config.PreStart)) return;
        log.Info("running-pre-start-hook", ("hook", jp.Config.PreStart));
        Bundle.Write(jp.Paths.BundleDir, SpecBuilder.Build(jp.Config, specCtx, jp.Config.PreStart, []));
        using var devnull = Fd.Open("/dev/null", Interop.Libc.O_RDONLY);
        int code = ctx.Runc.RunForeground(jp.Paths.BundleDir, jp.ContainerId, devnull.Value, logs.Stdout.Value, logs.Stderr.Value);
        // A hook killed mid-way can leave its container behind.
        if (ctx.Runc.Exists(jp.ContainerId)) ctx.Runc.Delete(jp.ContainerId, force: true);
        if (code != 0) throw new BpmException($"failed to run pre-start hook {jp.Config.PreStart} (exit status {code})");
    }
}
