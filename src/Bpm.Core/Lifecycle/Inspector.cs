namespace Bpm.Lifecycle;

// bpm pid, shell and trace all need the running process's pid.
public static class Inspector
{
    public const string NotRunning = "process is not running or could not be found";

    // From the names alone, as the original: a job without a bpm.yml, or a process it does not
    // define, is simply not running.
    public static int RunningPid(BpmContext ctx, string job, string? process)
    {
        var paths = JobLoader.PathsFor(ctx.Root, job, process);
        Runc.RuncState? state;
        try { state = ctx.Runc.State(paths.ContainerId); }
        catch (Runc.RuncStateException) { state = null; }
        if (state is not { Status: "running" } || state.Pid <= 0) throw new BpmException(NotRunning);
        return state.Pid;
    }
}
