using System.Text.Json;
using Bpm.Host;
using Bpm.Logging;
using Bpm.Runc;

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
        if (state.Status == "running") return state;
        log.Info("deleting-stale-container", ("status", state.Status));
        runc.Delete(jp.ContainerId, force: true);
        return null;
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
        CgroupReaper.KillAndRemove(CgroupsPath(ctx, jp));
        if (Directory.Exists(stateDir)) Directory.Delete(stateDir, recursive: true);
    }

    // Where the container's cgroups are: as written in its bundle, else where bpm would put them now.
    private static string CgroupsPath(BpmContext ctx, JobProcess jp)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Join(jp.Paths.BundleDir, "config.json")));
            if (doc.RootElement.GetProperty("linux").TryGetProperty("cgroupsPath", out var p) && p.GetString() is { } path)
                return path;
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException) { }
        return Spec.SpecBuilder.CgroupsPath(jp.ContainerId, ctx.Features.Systemd, Cgroups.OwnPath());
    }
}
