using System.Runtime.InteropServices;
using Bpm.Interop;

namespace Bpm.Host;

// Passes the signals an operator (or a harness, or `timeout`) sends to bpm on to the helpers bpm
// runs in the foreground, instead of dying and leaving them behind. bpm then exits when they do.
public sealed class SignalRelay : IDisposable
{
    private static readonly PosixSignal[] Relayed = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT];

    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly Dictionary<int, Fd?> _children = [];
    private int _received;

    public SignalRelay()
    {
        foreach (var s in Relayed) _registrations.Add(PosixSignalRegistration.Create(s, Forward));
    }

    // The last signal received (its number), 0 when none.
    public int Received => Volatile.Read(ref _received);

    // A child spawned after a signal arrived gets it at once.
    public void Add(int pid)
    {
        int fd = Libc.PidfdOpen(pid);
        lock (_children)
        {
            _children[pid] = fd >= 0 ? new Fd(fd) : null;
            if (_received != 0) Send(pid, _children[pid], _received);
        }
    }

    // Waits for a child added here. A pidfd keeps naming the reaped child, so a signal arriving
    // meanwhile cannot reach a process that took its pid (the kill fallback, for kernels without
    // pidfds, has that window of a few instructions).
    public int Wait(int pid)
    {
        int status = ChildProcess.Wait(pid);
        lock (_children)
        {
            if (_children.Remove(pid, out var fd)) fd?.Dispose();
        }
        return status;
    }

    private static void Send(int pid, Fd? pidfd, int sig)
    {
        if (pidfd is null) Libc.Kill(pid, sig);
        else Libc.PidfdSendSignal(pidfd.Value, sig);
    }

    private void Forward(PosixSignalContext context)
    {
        context.Cancel = true;
        int number = Number(context.Signal);
        lock (_children)
        {
            Volatile.Write(ref _received, number);
            foreach (var (pid, fd) in _children) Send(pid, fd, number);
        }
    }

    // PosixSignal's values are not the kernel's numbers.
    private static int Number(PosixSignal s) => s switch
    {
        PosixSignal.SIGINT => Libc.SIGINT,
        PosixSignal.SIGQUIT => Libc.SIGQUIT,
        PosixSignal.SIGHUP => Libc.SIGHUP,
        _ => Libc.SIGTERM,
    };

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        lock (_children)
        {
            foreach (var fd in _children.Values) fd?.Dispose();
            _children.Clear();
        }
    }
}
