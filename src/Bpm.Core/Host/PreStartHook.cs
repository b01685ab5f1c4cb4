using System.Runtime.InteropServices;
using Bpm.Interop;
using Bpm.Identity;

namespace Bpm.Host;

// The pre_start hook runs to completion before the container starts, as the original runs it: a
// plain child of bpm on the host, as root, with the process's environment, stdin /dev/null and its
// output appended to the job's log files. It runs in a process group of its own, so that a hook
// that does not finish can be ended together with whatever it started.
public static class PreStartHook
{
    // monit gives a start program 30 s by default. A hook still running after that would hold the
    // job lock, and with it every `bpm stop` of the job, long after monit has given up on the start.
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan TermGrace = TimeSpan.FromSeconds(2);

    // A hook left running by a killed bpm would run beside the next one; it goes, with its group.
    public static void Kill(ProcessRef p, int pid)
    {
        using var watch = ProcessWatch.Open(pid);
        Libc.Kill(-pid, Libc.SIGKILL);
        Libc.Kill(pid, Libc.SIGKILL); // in case it has left its group
        watch.WaitForExit(TermGrace);
        PreStartMarker.Remove(p);
    }

    // Runs the hook to completion; a BpmException says how it failed.
    public static void Run(ProcessRef p, string hook, IReadOnlyList<string> env, LogFiles logs)
    {
        using var devnull = Fd.Open("/dev/null", Libc.O_RDONLY);
        int pid;
        try
        {
            pid = ChildProcess.Spawn(hook, [], devnull.Value, logs.Stdout.Value, logs.Stderr.Value, env: env, isolated: true);
        }
        catch (SyscallException e)
        {
            throw new BpmException($"failed to run pre-start hook {hook}: {Marshal.GetPInvokeErrorMessage(e.Errno)}");
        }
        try
        {
            PreStartMarker.Write(p, pid);
            int code = WaitBounded(pid, hook);
            if (code != 0) throw new BpmException($"failed to run pre-start hook {hook} (exit status {code})");
        }
        finally
        {
            PreStartMarker.Remove(p);
        }
    }

    // The hook stays unreaped until its group has been signalled, so that its pid, which is the
    // group's id, cannot have passed to another process.
    private static int WaitBounded(int pid, string hook)
    {
        using var watch = ProcessWatch.Open(pid);
        if (watch.WaitForExit(Timeout)) return ChildProcess.Wait(pid);
        Libc.Kill(-pid, Libc.SIGTERM);
        watch.WaitForExit(TermGrace);
        Libc.Kill(-pid, Libc.SIGKILL);
        ChildProcess.Wait(pid);
        throw new BpmException($"failed to run pre-start hook {hook}: timed out after {Timeout.TotalSeconds:0} s");
    }
}
