using Bpm.Runc;

namespace Bpm.Lifecycle;

// Reads a container's state, clearing away what cannot be used: a container that has exited
// is deleted, and one whose runc state file is unreadable (e.g. truncated when the host lost
// power) has that file removed and is force-deleted. Returns the state only when it is running.
public static class ContainerRecovery
{
    public static RuncState? RunningOrCleared(RuncClient runc, string id, Logging.BpmLog log)
    {
        RuncState? state;
        try
        {
            state = runc.State(id);
        }
        catch (RuncStateException e)
        {
            log.Error("corrupt-state", e.Message);
            var stateFile = Path.Join(runc.StateRoot, id, "state.json");
            if (File.Exists(stateFile)) File.Delete(stateFile);
            runc.Delete(id, force: true);
            DeleteStateDir(runc, id);
            return null;
        }
        if (state is null) return null;
        if (state.Status == "running") return state;
        log.Info("deleting-stale-container", ("status", state.Status));
        runc.Delete(id, force: true);
        return null;
    }

    // runc refuses to delete a container it cannot load; its directory is then all that is left.
    private static void DeleteStateDir(RuncClient runc, string id)
    {
        var dir = Path.Join(runc.StateRoot, id);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
}
