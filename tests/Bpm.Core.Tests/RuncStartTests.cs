using Bpm.Host;
using Bpm.Runc;
using Xunit;

namespace Bpm.Tests;

// The wait of a foreground run: it ends when runc's pidfile appears in the bundle (by a rename,
// as runc writes it) while runc still runs, or when runc exits without writing one.
public class RuncStartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bpm-runcstart-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ReturnsWhenThePidfileIsRenamedIntoPlaceWhileRuncRuns()
    {
        int pid = ChildProcess.Spawn("/bin/sleep", ["30"]);
        try
        {
            var writer = Task.Run(async () =>
            {
                await Task.Delay(200);
                var tmp = Path.Join(_dir, "." + RuncStart.PidFileName);
                await File.WriteAllTextAsync(tmp, "123");
                File.Move(tmp, RuncStart.PidFile(_dir));
            });
            RuncStart.Wait(_dir, pid);
            Assert.True(File.Exists(RuncStart.PidFile(_dir)));
            using var watch = ProcessWatch.Open(pid);
            Assert.False(watch.WaitForExit(TimeSpan.Zero), "returned only once the process had exited");
            await writer;
        }
        finally
        {
            Interop.Libc.Kill(pid, 9);
            ChildProcess.Wait(pid);
        }
    }

    [Fact]
    public void ReturnsWhenThePidfileIsThereAlready()
    {
        int pid = ChildProcess.Spawn("/bin/sleep", ["30"]);
        try
        {
            File.WriteAllText(RuncStart.PidFile(_dir), "123");
            RuncStart.Wait(_dir, pid);
        }
        finally
        {
            Interop.Libc.Kill(pid, 9);
            ChildProcess.Wait(pid);
        }
    }

    [Fact]
    public async Task ReturnsWhenRuncExitsWithoutAPidfile()
    {
        int pid = ChildProcess.Spawn("/bin/sleep", ["0.2"]);
        var waited = Task.Run(() => RuncStart.Wait(_dir, pid));
        await waited.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(File.Exists(RuncStart.PidFile(_dir)));
        ChildProcess.Wait(pid);
    }
}
