using System.Text;
using Bpm.Host;
using Bpm.Interop;
using Xunit;

namespace Bpm.Tests;

// How the pre-start hook is executed: a script from an O_PATH descriptor handed down as fd 3,
// named by argv[0], in the directory asked for.
public sealed class ChildProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bpm-spawn-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public unsafe void AScriptRunsFromItsDescriptorInTheDirectoryAskedFor()
    {
        var script = Path.Combine(_dir, "hook");
        File.WriteAllText(script, "#!/bin/sh\necho \"cwd=$(pwd) zero=$0 fd3=$(readlink /proc/$$/fd/3)\"\n");
        File.SetUnixFileMode(script, (UnixFileMode)0x1c0 /* 0700 */);
        int path = Libc.Open(script, Libc.O_PATH | Libc.O_CLOEXEC, 0);
        Assert.True(path >= 0);
        using var hook = new Fd(path);
        // Renamed away after it was opened: the name is not looked up again.
        File.Move(script, script + ".moved");
        var (read, write) = Fd.Pipe();
        int pid;
        using (write)
            pid = ChildProcess.Spawn("/proc/self/fd/3", [], stdout: write.Value, extra: hook.Value, env: ["PATH=/usr/bin:/bin"],
                isolated: true, argv0: script, cwd: "/");
        var output = new MemoryStream();
        var buf = new byte[4096];
        using (read)
        {
            fixed (byte* p = buf)
            {
                nint n;
                while ((n = Libc.Read(read.Value, p, buf.Length)) > 0) output.Write(buf, 0, (int)n);
            }
        }
        Assert.Equal(0, ChildProcess.Wait(pid));
        Assert.Equal($"cwd=/ zero=/proc/self/fd/3 fd3={script}.moved\n", Encoding.UTF8.GetString(output.ToArray()));
    }
}
