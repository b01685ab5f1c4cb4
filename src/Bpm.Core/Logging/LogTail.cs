using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Bpm.Host;
using Bpm.Interop;
using Bpm.Output;

namespace Bpm.Logging;

// `bpm logs`: tail's output, from log files a job could have tampered with. Each file is opened
// as a regular file, never through a symlink (SafeFiles.OpenRead), and only the opened file is
// read, never the name again. bpm writes the headers itself, where tail would: the last N lines
// of each file in turn, which bpm reads back from the file's end itself (LastLines: a job's
// 100 GB file of zeros costs what its last lines cost), then, with -f, whatever the files gain,
// one tail per file on the opened descriptor, with a header whenever the file changes.
public static class LogTail
{
    // tail polls an inherited descriptor (it keeps inotify for names it can watch); this keeps
    // new lines coming promptly, for one fstat per file each time.
    private const string PollInterval = "0.2";
    private const string ChildName = "/proc/self/fd/3";

    public static int Show(IReadOnlyList<string> paths, int lines, bool follow, bool quiet)
    {
        var files = new List<Fd>();
        try
        {
            foreach (var path in paths) files.Add(SafeFiles.OpenRead(path) ?? throw new BpmException("logs not found"));
            var tail = follow ? Tools.Find("tail") : "";
            using var relay = new SignalRelay();
            var output = new Output(paths, headers: paths.Count > 1 && !quiet);
            var offsets = new long[files.Count];
            for (int i = 0; i < files.Count; i++)
            {
                output.Header(i);
                // Following picks up where the shown lines end: nothing lost, nothing twice.
                offsets[i] = Libc.LSeek(files[i].Value, 0, Libc.SEEK_END);
                if (offsets[i] < 0) throw Libc.Error("seek", paths[i]);
                var file = files[i];
                var path = paths[i];
                var start = LastLines.Start(offsets[i], lines, (at, buffer) => ReadAt(file, path, at, buffer));
                Copy(file, path, start, offsets[i], i, output, relay);
                output.Finish();
                if (relay.Received != 0) return 128 + relay.Received;
                // As tail itself ends when its reader goes: SIGPIPE's status.
                if (output.Broken) return 128 + Libc.SIGPIPE;
            }
            if (!follow) return 0;
            var sources = new List<Source>();
            for (int i = 0; i < files.Count; i++)
                sources.Add(new Source(tail, ["-c", "+" + Count(offsets[i] + 1), "-f", "-s", PollInterval, ChildName], i, Extra: files[i]));
            return Pump(relay, output, sources);
        }
        finally
        {
            foreach (var f in files) f.Dispose();
        }
    }

    private static string Count(long n) => n.ToString(CultureInfo.InvariantCulture);

    // Shows the file from `start` to `end`, stopping early for a signal or a reader that went.
    private static void Copy(Fd file, string path, long start, long end, int index, Output output, SignalRelay relay)
    {
        var buffer = new byte[65536];
        for (long at = start; at < end && relay.Received == 0;)
        {
            int n = ReadAt(file, path, at, buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - at)));
            // Truncated meanwhile: following shows what comes next.
            if (n == 0) return;
            if (!output.Data(index, buffer.AsSpan(0, n))) return;
            at += n;
        }
    }

    private static unsafe int ReadAt(Fd file, string path, long offset, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = Libc.PRead(file.Value, p, buffer.Length, offset);
                if (n >= 0) return (int)n;
                if (Marshal.GetLastPInvokeError() != Libc.EINTR) throw Libc.Error("read", path);
            }
        }
    }

    private sealed record Source(string Tail, string[] Args, int File, Fd? Extra = null);

    // Runs the tails and copies what they print until they have all exited; returns the first
    // failing status (128+N for a signal, as a shell reports it).
    private static unsafe int Pump(SignalRelay relay, Output output, List<Source> sources)
    {
        var pids = new List<int>();
        var pipes = new List<(Fd Fd, int Source, bool IsErr)>();
        try
        {
            foreach (var (source, index) in sources.Select((s, i) => (s, i)))
            {
                var (outR, outW) = Fd.Pipe();
                var (errR, errW) = Fd.Pipe();
                pipes.Add((outR, index, false));
                pipes.Add((errR, index, true));
                using (outW)
                using (errW)
                {
                    int pid = ChildProcess.SpawnTied(source.Tail, source.Args, ChildProcess.Inherit,
                        outW.Value, errW.Value, source.Extra?.Value ?? ChildProcess.Inherit);
                    pids.Add(pid);
                    relay.Add(pid);
                }
            }
            var buf = new byte[65536];
            var fds = new Libc.PollFd[pipes.Count];
            for (int i = 0; i < pipes.Count; i++) fds[i] = new Libc.PollFd { Fd = pipes[i].Fd.Value, Events = Libc.POLLIN };
            int open = pipes.Count;
            fixed (Libc.PollFd* pfds = fds)
            fixed (byte* p = buf)
            {
                while (open > 0)
                {
                    if (Libc.Poll(pfds, (nuint)fds.Length, -1) < 0)
                    {
                        if (Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                        throw Libc.Error("poll");
                    }
                    for (int i = 0; i < fds.Length; i++)
                    {
                        if (pfds[i].Fd < 0 || pfds[i].Revents == 0) continue;
                        var n = Libc.Read(pfds[i].Fd, p, buf.Length);
                        if (n < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                        if (n <= 0)
                        {
                            pfds[i].Fd = -1; // poll skips negative descriptors
                            open--;
                            continue;
                        }
                        var (_, src, isErr) = pipes[i];
                        var data = buf.AsSpan(0, (int)n);
                        if (isErr) output.Error(sources[src].File, data);
                        else if (!output.Data(sources[src].File, data))
                        {
                            // Nobody reads bpm's output any more: stop the tails rather than
                            // follow for no one.
                            foreach (var pid in pids) Libc.Kill(pid, Libc.SIGTERM);
                        }
                    }
                }
            }
            output.Finish();
            int status = 0;
            foreach (var pid in pids)
            {
                int s = relay.Wait(pid);
                if (status == 0) status = s;
            }
            pids.Clear();
            return status;
        }
        finally
        {
            // Only on an error before the loop ended: no tail is left behind.
            foreach (var pid in pids)
            {
                Libc.Kill(pid, Libc.SIGTERM);
                relay.Wait(pid);
            }
            foreach (var (fd, _, _) in pipes) fd.Dispose();
        }
    }

    // bpm's stdout and stderr: headers where tail puts them, job output shown safely on a
    // terminal and passed through unchanged anywhere else.
    private sealed class Output(IReadOnlyList<string> paths, bool headers)
    {
        private readonly VisibleControls? _visible = Libc.IsATty(1) == 1 ? new VisibleControls() : null;
        private int _last = -1;

        public bool Broken { get; private set; }

        public void Header(int file)
        {
            if (!headers) return;
            Write(Encoding.UTF8.GetBytes((_last < 0 ? "" : "\n") + $"==> {paths[file]} <==\n"));
            _last = file;
        }

        public bool Data(int file, ReadOnlySpan<byte> data)
        {
            if (Broken) return false;
            if (file != _last)
            {
                Finish();
                Header(file);
                _last = file;
            }
            return Write(_visible is null ? data : _visible.Render(data));
        }

        // tail's own messages name the file it was given; name the log instead.
        public void Error(int file, ReadOnlySpan<byte> data)
        {
            var text = Encoding.UTF8.GetString(data).Replace(ChildName, paths[file], StringComparison.Ordinal);
            Fd.TryWriteAll(2, Encoding.UTF8.GetBytes(text));
        }

        public void Finish()
        {
            if (_visible is not null) Write(_visible.Finish());
        }

        private bool Write(ReadOnlySpan<byte> data)
        {
            if (!Broken && !Fd.TryWriteAll(1, data)) Broken = true;
            return !Broken;
        }
    }
}
