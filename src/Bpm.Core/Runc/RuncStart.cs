using System.Runtime.InteropServices;
using Bpm.Host;
using Bpm.Interop;

namespace Bpm.Runc;

// When a foreground `runc run` has started the container's process. runc writes its pidfile
// (by a rename into place) only once the process runs, so bpm waits for that name to appear
// in the bundle dir (root's alone) or for runc to exit, whichever comes first, without polling
// runc's state: a poll every millisecond took CPU from runc itself while it made the container.
public static class RuncStart
{
    public const string PidFileName = "runc.pid";

    public static string PidFile(string bundleDir) => Path.Join(bundleDir, PidFileName);

    // Returns once the pidfile exists or runc (runcPid) has exited.
    public static unsafe void Wait(string bundleDir, int runcPid)
    {
        var pidFile = PidFile(bundleDir);
        using var runc = ProcessWatch.Open(runcPid);
        if (runc.Pidfd is not { } pidfd)
        {
            PollWait(pidFile, runc);
            return;
        }
        int ifd = Libc.InotifyInit1(Libc.IN_NONBLOCK | Libc.IN_CLOEXEC);
        if (ifd < 0 || Libc.InotifyAddWatch(ifd, bundleDir, Libc.IN_MOVED_TO | Libc.IN_CREATE | Libc.IN_ONLYDIR) < 0)
        {
            if (ifd >= 0) Libc.Close(ifd);
            PollWait(pidFile, runc);
            return;
        }
        using var watch = new Fd(ifd);
        var buf = stackalloc byte[4096];
        var fds = stackalloc Libc.PollFd[2];
        // The watch is in place before the first look: a pidfile made after it is an event.
        while (!File.Exists(pidFile))
        {
            fds[0] = new Libc.PollFd { Fd = pidfd, Events = Libc.POLLIN };
            fds[1] = new Libc.PollFd { Fd = watch.Value, Events = Libc.POLLIN };
            int rc = Libc.Poll(fds, 2, -1);
            if (rc < 0 && Marshal.GetLastPInvokeError() != Libc.EINTR) throw Libc.Error("poll");
            if (rc > 0 && fds[0].Revents != 0) return;
            while (Libc.Read(watch.Value, buf, 4096) > 0) { }
        }
    }

    // Without inotify or a pidfd (old kernels): a look every millisecond.
    private static void PollWait(string pidFile, ProcessWatch runc)
    {
        while (!File.Exists(pidFile))
            if (runc.WaitForExit(TimeSpan.FromMilliseconds(1))) return;
    }
}
