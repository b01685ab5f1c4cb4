using Bpm.Host;
using Bpm.Lifecycle;

namespace Bpm.Runc;

// runc in the foreground with its output going through bpm, to the caller and the logs.
public sealed class AttachedRun : IAttachedRun
{
    private readonly Fd _outR;
    private readonly Fd _errR;
    private readonly LogFiles _logs;

    private AttachedRun(int runcPid, Fd outR, Fd errR, LogFiles logs)
    {
        RuncPid = runcPid;
        _outR = outR;
        _errR = errR;
        _logs = logs;
    }

    public int RuncPid { get; }

    // `spawn` starts runc with the given stdout and stderr and returns its pid.
    public static AttachedRun Start(LogFiles logs, Func<int, int, int> spawn)
    {
        var (outR, outW) = Fd.Pipe();
        var (errR, errW) = Fd.Pipe();
        // As big as the tee's buffer: the job rarely waits for bpm, and one read takes all it wrote.
    // Until the process has started and bpm begins copying (Wait), the pipes hold what is written.
        outR.TrySetPipeSize(Tee.BufferSize);
        errR.TrySetPipeSize(Tee.BufferSize);
        int pid;
        try
        {
            using (outW)
            using (errW)
                pid = spawn(outW.Value, errW.Value);
        }
        catch
        {
            outR.Dispose();
            errR.Dispose();
            throw;
        }
        return new AttachedRun(pid, outR, errR, logs);
    }

    // Copies the output until runc and the container have closed it, then returns runc's exit
    // status, which is the container's.
    public int Wait()
    {
        using (_outR)
        using (_errR)
            Tee.Pump(new Tee.Route(_outR, 1, _logs.Stdout), new Tee.Route(_errR, 2, _logs.Stderr));
        return ChildProcess.Wait(RuncPid);
    }
}
