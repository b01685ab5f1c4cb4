using System.Runtime.InteropServices;
using Bpm.Config;
using Bpm.Interop;
using Bpm.Identity;

namespace Bpm.Host;

// The pre_start hook runs to completion before the container starts, as the original runs it: a
// plain child of bpm on the host, as root, stdin /dev/null and its output appended to the job's
// log files. It runs in a process group of its own, so that a hook that does not finish can be
// ended together with whatever it started. Unlike the original, bpm runs only a hook that no one
// but root could have written or replaced (PathWalk.OpenRootOwned: a hook in a directory the job
// can write would run the job's code as root), executes the very file it checked, and gives it
// "/" as its working directory and an environment of root's (HookEnvironment).
public static class PreStartHook
{
    // The hook as the child sees it: the checked file's descriptor, handed down as its fd 3.
    private const string ExecPath = "/proc/self/fd/3";

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
        HookTmpDir.Remove(p);
    }

    // Runs the hook to completion; a BpmException says how it failed.
    public static void Run(ProcessRef p, string hook, ProcessConfig config, LogFiles logs)
    {
        using var file = Open(hook);
        using var devnull = Fd.Open("/dev/null", Libc.O_RDONLY);
        var tmp = HookTmpDir.Create(p);
        try
        {
            var env = HookEnvironment.For(config, p, Users.Home(0) ?? "/", tmp, PathWalk.IsRootOwnedDirectory);
            int pid;
            try
            {
                pid = Spawn(file, hook, env, devnull, logs);
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
        finally
        {
            HookTmpDir.Remove(p);
        }
    }

    // The hook's file, opened O_PATH once its path has passed; what runs is what was checked.
    // Hard links are let be: the file's owner and mode make it root's, and another name elsewhere
    // gives no one a way to change what it holds (bpm writes nothing through this name).
    private static Fd Open(string hook)
    {
        Fd file;
        try
        {
            file = PathWalk.OpenRootOwned(hook);
        }
        catch (SyscallException e)
        {
            throw new BpmException($"failed to run pre-start hook {hook}: {Marshal.GetPInvokeErrorMessage(e.Errno)}");
        }
        catch (BpmException e)
        {
            throw new BpmException($"refusing to run pre-start hook {hook}: {e.Message}");
        }
        try
        {
            var st = SafeFiles.Stat(file);
            if ((st.Mode & Libc.S_IFMT) != Libc.S_IFREG)
                throw new BpmException($"refusing to run pre-start hook {hook}: it is not a regular file");
            if ((st.Mode & 0x49 /* 0111 */) == 0)
                throw new BpmException($"failed to run pre-start hook {hook}: {Marshal.GetPInvokeErrorMessage(Libc.EACCES)}");
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    // The one place that says how the checked hook is executed: from its descriptor, so that
    // nothing is resolved by name again after the checks. The child gets the descriptor as its
    // fd 3, open across the exec, and execs /proc/self/fd/3, as glibc's fexecve does where
    // execveat cannot serve a script; argv[0] is the configured path, and a script's interpreter
    // is handed, and shows as $0, /proc/self/fd/3.
    private static int Spawn(Fd hook, string path, IReadOnlyList<string> env, Fd stdin, LogFiles logs) =>
        ChildProcess.Spawn(ExecPath, [], stdin.Value, logs.Stdout.Value, logs.Stderr.Value, extra: hook.Value, env: env,
            isolated: true, argv0: path, cwd: "/");

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
