using Bpm.Host;
using Bpm.Logging;
using Bpm.Runc;
using Bpm.Status;

namespace Bpm.Lifecycle;

// Reads a container's state, clearing away what cannot be used: a container that has exited
// is deleted, and one whose runc state is unreadable (e.g. truncated when the host lost power)
// is torn down by hand. Returns the state only when the container is running.
public static class ContainerRecovery
{
    public static RuncState? RunningOrCleared(BpmContext ctx, JobProcess jp, BpmLog log)
    {
        var runc = ctx.Runc;
        RuncState? state;
        try
        {
            state = runc.State(jp.ContainerId);
        }
        catch (RuncStateException e)
        {
            log.Error("corrupt-state", e.Message);
            Clear(ctx, jp);
            return null;
        }
        if (state is null) return null;
        if (state.Status == "running")
        {
            OomWatch.Check(jp, ContainerCgroup.Read(ctx.Cgroups, CgroupsPath(ctx, jp)), log);
            return state;
        }
        log.Info("deleting-stale-container", ("status", state.Status));
        Delete(ctx, jp, log, since: state.Created);
        return null;
    }

    // Deletes a container, first reporting any memory kills its cgroup counted (they go with it)
    // and recording why it ended, as `reason` tells from those figures (by default: whether the
    // memory limit killed it). A caller that built the spec knows the cgroups path already;
    // `since` is when the container was made, if known.
    public static void Delete(BpmContext ctx, JobProcess jp, BpmLog log, Func<CgroupStats?, string>? reason = null, string? cgroupsPath = null,
        DateTimeOffset? since = null)
    {
        var stats = ContainerCgroup.Read(ctx.Cgroups, cgroupsPath ?? CgroupsPath(ctx, jp), since);
        OomWatch.Check(jp, stats, log);
        if (ctx.Runc.Exists(jp.ContainerId)) ctx.Runc.Delete(jp.ContainerId, force: true);
        MountStage.Clear(ctx.Root, jp.ContainerId);
        OomWatch.Forget(jp);
        ExitRecord.Write(jp, (reason ?? StatusReader.ExitReason)(stats), DateTimeOffset.UtcNow);
    }

    // runc cannot delete a container it cannot load, so its processes are killed through the
    // container's cgroups and its state directory is removed.
    public static void Clear(BpmContext ctx, JobProcess jp)
    {
        var runc = ctx.Runc;
        var stateDir = Path.Join(runc.StateRoot, jp.ContainerId);
        var stateFile = Path.Join(stateDir, "state.json");
        if (File.Exists(stateFile)) File.Delete(stateFile);
        runc.Delete(jp.ContainerId, force: true);
        CgroupReaper.KillAndRemove(ctx.Cgroups, CgroupsPath(ctx, jp));
        MountStage.Clear(ctx.Root, jp.ContainerId);
        if (Directory.Exists(stateDir)) Directory.Delete(stateDir, recursive: true);
    }

    // Where the container's cgroups are: as written in its bundle, else where bpm would put them now.
    public static string CgroupsPath(BpmContext ctx, JobProcess jp) =>
        Bundle.CgroupsPath(jp.Paths.BundleDir)
        ?? Spec.SpecBuilder.CgroupsPath(jp.ContainerId, ctx.Cgroups, ctx.Root);
}
