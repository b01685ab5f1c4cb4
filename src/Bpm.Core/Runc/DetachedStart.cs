using System.Buffers.Binary;
using Bpm.Host;
using Bpm.Interop;
using Bpm.Lifecycle;
using Bpm.Waiter;

namespace Bpm.Runc;

// bpm start's side of its waiter (Waiter.WaiterProcess): started first, told what to run once the
// bundle is written, asked how runc did. Without a waiter beside bpm, runc is run directly.
public sealed class DetachedStart : IDetachedStart
{
    public const string WaiterName = "bpm-waiter";

    private readonly string _runcPath;
    private readonly Func<string[], List<string>> _global;
    private Fd? _socket;

    public int? WaiterPid { get; private set; }

    private DetachedStart(string runcPath, Func<string[], List<string>> global)
    {
        _runcPath = runcPath;
        _global = global;
    }

    public static DetachedStart Begin(string runcPath, Func<string[], List<string>> global, Action<int>? adopt = null)
    {
        var start = new DetachedStart(runcPath, global);
        var waiter = Path.Join(SelfPath.Directory, WaiterName);
        if (!File.Exists(waiter)) return start;
        var (mine, theirs) = WaiterSocket.Pair();
        try
        {
            using var devnull = Fd.Open("/dev/null", Libc.O_RDWR);
            // In /, as runc then is: a waiter lives as long as its job, and a working directory
            // it kept (the operator's, on a persistent disk) would keep that disk from unmounting.
            using (theirs)
                start.WaiterPid = ChildProcess.Spawn(waiter, [], devnull.Value, devnull.Value, devnull.Value, theirs.Value, cwd: "/");
            start._socket = mine;
            // Before it is asked to run runc, so that runc, its child, starts where it now is.
            adopt?.Invoke(start.WaiterPid.Value);
        }
        catch (BpmException)
        {
            mine.Dispose();
        }
        return start;
    }

    public int Run(string bundle, string id, string pidFile, LogFiles logs, FileLock held, string job, string process)
    {
        if (!File.Exists(_runcPath)) throw new BpmException($"runc not found at {_runcPath}");
        var args = _global(["run", "--bundle", bundle, "--pid-file", pidFile, "--detach", id]);
        using var devnull = Fd.Open("/dev/null", Libc.O_RDONLY);
        if (_socket is { } socket)
        {
            var request = new WaiterRequest(pidFile, SelfPath.Called, job, process, [_runcPath, .. args]);
            if (WaiterSocket.Send(socket.Value, request.Encode(), [devnull.Value, logs.Stdout.Value, logs.Stderr.Value, held.Descriptor]))
            {
                if (WaiterSocket.Receive(socket.Value, 0) is { Data.Length: 4 } reply)
                    return BinaryPrimitives.ReadInt32LittleEndian(reply.Data);
                throw new BpmException($"failed to start job-process: {WaiterName} ended before it told runc's exit status");
            }
            // The waiter died before it was asked: runc is run here, and the end goes unrecorded.
            socket.Dispose();
            _socket = null;
            WaiterPid = null;
        }
        return ChildProcess.Wait(ChildProcess.Spawn(_runcPath, args, devnull.Value, logs.Stdout.Value, logs.Stderr.Value, held.Descriptor));
    }

    public void Dispose()
    {
        _socket?.Dispose();
        _socket = null;
        // A waiter that went without starting anything is reaped; one that waits stays.
        if (WaiterPid is { } pid) Libc.WaitPid(pid, out _, Libc.WNOHANG);
    }
}
