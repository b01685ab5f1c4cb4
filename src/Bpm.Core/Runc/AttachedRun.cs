using Bpm.Host;
using Bpm.Lifecycle;

namespace Bpm.Runc;

// runc in the foreground with its output going through bpm, to the caller and the logs.
public sealed class AttachedRun : IAttachedRun
{
    private readonly Fd _outR;
    private readonly Fd _errR;
    private readonly Thread[] _pumps;

    private AttachedRun(int runcPid, Fd outR, Fd errR, Thread[] pumps)
    {
        RuncPid = runcPid;
        _outR = outR;
        _errR = errR;
        _pumps = pumps;
    }

    public int RuncPid { get; }

    // `spawn` starts runc with the given stdout and stderr and returns its pid.
    public static AttachedRun Start(LogFiles logs, Func<int, int, int> spawn)
    {
        var (outR, outW) = Fd.Pipe();
        var (errR, errW) = Fd.Pipe();
        // As big as the tee's buffer: the job rarely waits for bpm, and one read takes all it wrote.
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
        return new AttachedRun(pid, outR, errR, [Tee.Start(outR, 1, logs.Stdout), Tee.Start(errR, 2, logs.Stderr)]);
    }

    // runc's exit status, which is the container's; returns once all output is copied.
    public int Wait()
    {
        using (_outR)
        using (_errR)
        {
            int code = ChildProcess.Wait(RuncPid);
            foreach (var t in _pumps) t.Join();
            return code;
        }
    }
}
