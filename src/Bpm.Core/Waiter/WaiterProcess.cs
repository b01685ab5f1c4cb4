using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using Bpm.Host;
using Bpm.Interop;

namespace Bpm.Waiter;

// bpm-waiter: started by bpm start before the container, it outlives bpm. It runs runc for
// start (so that, as a subreaper, it inherits the container's init once runc has exited), tells
// start runc's exit status, then sleeps in wait(2) until that init ends, and hands the status
// to `bpm exited`, which records it. Nothing else waits on a detached container's process:
// runc is gone by then, and so is bpm.
public static class WaiterProcess
{
    // The socket from bpm start, as the waiter's descriptor 3.
    public const int SocketFd = 3;

    public static int Main()
    {
        // Out of the caller's session and process group: a signal meant for monit's children
        // (or a terminal's hang-up) does not reach it.
        Libc.Setsid();
        // Without it (an emulator may refuse it) the start is still served; only its end goes
        // unrecorded, as without a waiter.
        bool subreaper = Libc.Prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
        if (WaiterSocket.Receive(SocketFd, WaiterRequest.Descriptors) is not { } message) return 0;
        var request = WaiterRequest.Decode(message.Data);
        if (request is null || message.Fds.Count != WaiterRequest.Descriptors)
        {
            Reply(-1);
            return 1;
        }
        int runc;
        try
        {
            runc = ChildProcess.Spawn(request.Runc[0], request.Runc.Skip(1).ToList(),
                message.Fds[0].Value, message.Fds[1].Value, message.Fds[2].Value, message.Fds[3].Value);
        }
        catch (BpmException)
        {
            Reply(127);
            return 1;
        }
        // The lock and the log files are runc's now: the waiter must not hold the job lock.
        foreach (var fd in message.Fds) fd.Dispose();
        int code = ChildProcess.Wait(runc);
        Reply(code);
        if (code != 0 || !subreaper) return 0;
        if (InitPid(request.PidFile) is not { } init) return 0;
        if (WaitFor(init) is not { } status) return 0;
        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return Exited(request, status, at);
    }

    private static unsafe void Reply(int code)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, code);
        WaiterSocket.Send(SocketFd, bytes, []);
        Libc.Close(SocketFd);
    }

    private static int? InitPid(string pidFile)
    {
        string? text;
        try { text = FileText.Read(pidFile); }
        catch (BpmException) { return null; }
        return int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
    }

    // The wait status of `pid`, once it has ended; null when it is not (or no longer) this
    // process's child. Other orphans that come to it on the way are reaped and forgotten.
    private static int? WaitFor(int pid)
    {
        int first = Libc.WaitPid(pid, out var early, Libc.WNOHANG);
        if (first == pid) return early;
        if (first < 0) return null;
        MemoryTrim.DropCleanCode();
        while (true)
        {
            int got = Libc.WaitPid(-1, out var status, 0);
            if (got == pid) return status;
            if (got < 0 && Marshal.GetLastPInvokeError() != Libc.EINTR) return null;
        }
    }

    // Becomes `bpm exited`: the bpm named in the request, the path bpm start was called by, which
    // an upgrade points at the new bpm. When that cannot be run, the end goes unrecorded.
    private static unsafe int Exited(WaiterRequest request, int status, long at)
    {
        var args = new List<string>
        {
            "exited", "--status", status.ToString(CultureInfo.InvariantCulture),
            "--at", at.ToString(CultureInfo.InvariantCulture), "--process", request.Process, request.Job,
        };
        Exec(request.Bpm, args, ChildProcess.OwnEnvironment());
        return 127;
    }

    private static unsafe void Exec(string path, List<string> args, List<string> env)
    {
        var argv = new List<string> { path };
        argv.AddRange(args);
        var pinned = new List<nint>();
        try
        {
            var a = ChildProcess.ToPointers(argv, pinned);
            var e = ChildProcess.ToPointers(env, pinned);
            var file = Marshal.StringToCoTaskMemUTF8(path);
            pinned.Add(file);
            fixed (nint* ap = a)
            fixed (nint* ep = e)
                Libc.Execve((byte*)file, (byte**)ap, (byte**)ep);
        }
        finally
        {
            foreach (var p in pinned) Marshal.FreeCoTaskMem(p);
        }
    }
}
