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
        // The hook's container has an ID of its own, so that a hook left running by a killed bpm
        // is never mistaken for the process itself. "." followed by non-hex cannot come out of
        // ContainerId.Encode, so no job's ID can collide with it.
        var id = HookId(jp);
        if (ctx.Runc.Exists(id)) ctx.Runc.Delete(id, force: true);
        var spec = SpecBuilder.Build(jp.Config, specCtx, jp.Config.PreStart, []);
        Bundle.Write(jp.Paths.BundleDir, spec with { Linux = spec.Linux with { CgroupsPath = spec.Linux.CgroupsPath + ".pre-start" } });
        using var devnull = Fd.Open("/dev/null", Interop.Libc.O_RDONLY);
        int code = ctx.Runc.RunForeground(jp.Paths.BundleDir, id, devnull.Value, logs.Stdout.Value, logs.Stderr.Value);
        if (ctx.Runc.Exists(id)) ctx.Runc.Delete(id, force: true);
        if (code != 0) throw new BpmException($"failed to run pre-start hook {jp.Config.PreStart} (exit status {code})");
    }

    public static string HookId(JobProcess jp) => jp.ContainerId + ".pre-start";
}
