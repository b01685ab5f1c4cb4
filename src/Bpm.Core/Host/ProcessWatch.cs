using System.Runtime.InteropServices;
using Bpm.Interop;
using Bpm.Lifecycle;

namespace Bpm.Host;

// Waits for a process that is not our child to exit, without polling: a pidfd becomes
// readable the moment the process exits.
public sealed class ProcessWatch : IExitWatch
{
    private readonly Fd? _pidfd;
    private readonly int _pid;

    private ProcessWatch(int pid, Fd? pidfd)
    {
        _pid = pid;
        _pidfd = pidfd;
    }

    // The pidfd, to wait on together with other descriptors; null without pidfd support.
    public int? Pidfd => _pidfd?.Value;

    public static ProcessWatch Open(int pid)
    {
        int fd = Libc.PidfdOpen(pid);
        return new ProcessWatch(pid, fd >= 0 ? new Fd(fd) : null);
    }

    // True when the process has exited within the timeout.
    public unsafe bool WaitForExit(TimeSpan timeout)
    {
        if (_pidfd is null) return !Alive(_pid) || FallbackWait(timeout);
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            var pfd = new Libc.PollFd { Fd = _pidfd.Value, Events = Libc.POLLIN };
            int left = (int)Math.Max(0, deadline - Environment.TickCount64);
            int rc = Libc.Poll(&pfd, 1, left);
            if (rc > 0) return true;
            if (rc == 0) return false;
            if (Marshal.GetLastPInvokeError() != Libc.EINTR) return FallbackWait(TimeSpan.FromMilliseconds(left));
        }
    }

    // Without pidfd (old kernels), check often enough that a stop still returns promptly.
    private bool FallbackWait(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Alive(_pid))
        {
            if (Environment.TickCount64 >= deadline) return false;
            Thread.Sleep(10);
        }
        return true;
    }

    private static bool Alive(int pid)
    {
        if (Libc.Kill(pid, 0) != 0) return Marshal.GetLastPInvokeError() != Libc.ESRCH;
        // A zombie still answers kill(0); it has exited all the same.
        return ProcStat.StartTime(pid) is not null;
    }

    public void Dispose() => _pidfd?.Dispose();
}
