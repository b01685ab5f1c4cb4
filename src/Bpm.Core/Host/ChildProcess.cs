using System.Runtime.InteropServices;
using System.Text;
using Bpm.Interop;

namespace Bpm.Host;

// Starts programs with chosen descriptors as their stdin/stdout/stderr. System.Diagnostics.Process
// cannot hand a child an arbitrary descriptor, and a detached container must write straight into
// its log files after bpm has exited.
public static class ChildProcess
{
    public const int Inherit = -1;

    // `extra` is handed to the child as its descriptor 3, open across the exec. `env` replaces
    // bpm's own environment. `isolated` puts the child in a process group of its own (so that it
    // and whatever it starts can be signalled together) and closes every other descriptor above 2
    // in it, even one opened without close-on-exec. `argv0` names the program to itself (default:
    // `path`); `cwd` is the child's working directory (default: bpm's).
    public static unsafe int Spawn(string path, IReadOnlyList<string> args, int stdin = Inherit, int stdout = Inherit, int stderr = Inherit,
        int extra = Inherit, IReadOnlyList<string>? env = null, bool isolated = false, string? argv0 = null, string? cwd = null)
    {
        var argv = new List<string> { argv0 ?? path };
        argv.AddRange(args);
        env ??= OwnEnvironment();

        var allocated = new List<nint>();
        try
        {
            var argvPtrs = ToPointers(argv, allocated);
            var envPtrs = ToPointers([.. env], allocated);
            byte* actions = stackalloc byte[Libc.FileActionsSize];
            byte* attr = stackalloc byte[Libc.SpawnAttrSize];
            byte* empty = stackalloc byte[Libc.SigSetSize];
            byte* all = stackalloc byte[Libc.SigSetSize];
            Libc.FileActionsInit(actions);
            Libc.SpawnAttrInit(attr);
            try
            {
                if (stdin != Inherit) Libc.FileActionsAddDup2(actions, stdin, 0);
                if (stdout != Inherit) Libc.FileActionsAddDup2(actions, stdout, 1);
                if (stderr != Inherit) Libc.FileActionsAddDup2(actions, stderr, 2);
                if (extra != Inherit) Libc.FileActionsAddDup2(actions, extra, 3);
                if (isolated) CloseFrom(actions, extra != Inherit ? 4 : 3);
                if (cwd is not null) Chdir(actions, cwd);
                // The runtime blocks and ignores some signals (SIGPIPE); children start clean.
                Libc.SigEmptySet(empty);
                Libc.SigFillSet(all);
                Libc.SpawnAttrSetSigMask(attr, empty);
                Libc.SpawnAttrSetSigDefault(attr, all);
                short flags = Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF;
                if (isolated)
                {
                    Libc.SpawnAttrSetPGroup(attr, 0);
                    flags |= Libc.POSIX_SPAWN_SETPGROUP;
                }
                Libc.SpawnAttrSetFlags(attr, flags);
                fixed (nint* a = argvPtrs)
                fixed (nint* e = envPtrs)
                {
                    int rc = Libc.PosixSpawn(out var pid, path, actions, attr, a, e);
                    if (rc != 0) throw new SyscallException("exec", path, rc);
                    return pid;
                }
            }
            finally
            {
                Libc.FileActionsDestroy(actions);
                Libc.SpawnAttrDestroy(attr);
            }
        }
        finally
        {
            foreach (var p in allocated) Marshal.FreeCoTaskMem(p);
        }
    }

    // bpm opens every descriptor close-on-exec, so an older glibc without closefrom still leaks none.
    private static unsafe void CloseFrom(byte* actions, int from)
    {
        try { Libc.FileActionsAddCloseFrom(actions, from); }
        catch (EntryPointNotFoundException) { }
    }

    // Without it the child would run in bpm's working directory, which a caller asked to avoid.
    private static unsafe void Chdir(byte* actions, string cwd)
    {
        int rc;
        try { rc = Libc.FileActionsAddChdir(actions, cwd); }
        catch (EntryPointNotFoundException) { throw new BpmException("this C library cannot start a program in another directory (glibc 2.29 or later can)"); }
        if (rc != 0) throw new SyscallException("chdir", cwd, rc);
    }

    // Spawns a foreground helper (tail, strace) that must not outlive bpm, even when bpm is
    // killed outright: posix_spawn cannot set a parent-death signal, so setpriv (util-linux) sets
    // it and then execs the helper in the same process. The signal follows the thread that
    // spawned the child, so call this from the main thread. Without setpriv the helper is spawned
    // as is, and only the signals bpm receives reach it.
    public static int SpawnTied(string path, IReadOnlyList<string> args, int stdin = Inherit, int stdout = Inherit, int stderr = Inherit, int extra = Inherit)
    {
        if (Tools.TryFind("setpriv") is not { } setpriv) return Spawn(path, args, stdin, stdout, stderr, extra);
        return Spawn(setpriv, ["--pdeathsig", "TERM", "--", path, .. args], stdin, stdout, stderr, extra);
    }

    // Waits for a child and returns its exit code, or 128+N when killed by signal N (as a shell does).
    public static int Wait(int pid)
    {
        while (true)
        {
            if (Libc.WaitPid(pid, out var status, 0) >= 0)
            {
                int sig = status & 0x7f;
                return sig == 0 ? (status >> 8) & 0xff : 128 + sig;
            }
            if (Marshal.GetLastPInvokeError() != Libc.EINTR) throw Libc.Error("waitpid");
        }
    }

    public static int Run(string path, IReadOnlyList<string> args, int stdin = Inherit, int stdout = Inherit, int stderr = Inherit) =>
        Wait(Spawn(path, args, stdin, stdout, stderr));

    // Runs a program and collects its stdout and stderr.
    public static unsafe (int ExitCode, string Stdout, string Stderr) Capture(string path, IReadOnlyList<string> args)
    {
        using var devnull = Fd.Open("/dev/null", Libc.O_RDONLY | Libc.O_CLOEXEC);
        var (outR, outW) = Fd.Pipe();
        var (errR, errW) = Fd.Pipe();
        int pid;
        using (outW)
        using (errW)
            pid = Spawn(path, args, devnull.Value, outW.Value, errW.Value);
        string stdout, stderr;
        using (outR)
        using (errR)
            (stdout, stderr) = ReadBoth(outR, errR);
        return (Wait(pid), stdout, stderr);
    }

    // Drains both pipes until the child closes them, from this thread: a task for the second pipe
    // would start the thread pool (three more threads) for a runc command of a few milliseconds.
    private static unsafe (string, string) ReadBoth(Fd first, Fd second)
    {
        var collected = new[] { new MemoryStream(), new MemoryStream() };
        var buf = new byte[16384];
        Libc.PollFd* fds = stackalloc Libc.PollFd[2];
        fds[0] = new Libc.PollFd { Fd = first.Value, Events = Libc.POLLIN };
        fds[1] = new Libc.PollFd { Fd = second.Value, Events = Libc.POLLIN };
        int open = 2;
        fixed (byte* p = buf)
        {
            while (open > 0)
            {
                if (Libc.Poll(fds, 2, -1) < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                    throw Libc.Error("poll");
                }
                for (int i = 0; i < 2; i++)
                {
                    if (fds[i].Fd < 0 || fds[i].Revents == 0) continue;
                    var n = Libc.Read(fds[i].Fd, p, buf.Length);
                    if (n > 0) collected[i].Write(buf, 0, (int)n);
                    else if (n == 0 || Marshal.GetLastPInvokeError() != Libc.EINTR)
                    {
                        fds[i].Fd = -1; // poll skips negative descriptors
                        open--;
                    }
                }
            }
        }
        return (Text(collected[0]), Text(collected[1]));
    }

    private static string Text(MemoryStream ms) => Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);

    // bpm's own environment, as NAME=VALUE strings.
    internal static List<string> OwnEnvironment()
    {
        var own = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            own.Add($"{e.Key}={e.Value}");
        return own;
    }

    // A NULL-terminated array of C strings, each allocated into `allocated` for the caller to free.
    internal static nint[] ToPointers(List<string> strings, List<nint> allocated)
    {
        var result = new nint[strings.Count + 1];
        for (int i = 0; i < strings.Count; i++)
        {
            var p = Marshal.StringToCoTaskMemUTF8(strings[i]);
            allocated.Add(p);
            result[i] = p;
        }
        return result;
    }
}
