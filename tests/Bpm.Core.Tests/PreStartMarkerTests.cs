using Bpm.Bosh;
using Bpm.Host;
using Bpm.Identity;
using Xunit;

namespace Bpm.Tests;

public sealed class PreStartMarkerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bpm-marker-").FullName;
    private readonly ProcessRef _p;

    public PreStartMarkerTests()
    {
        _p = ProcessRef.Of(new BoshRoot(_root), "web", "web");
        Directory.CreateDirectory(_p.PidDir);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void NamesALiveProcess()
    {
        PreStartMarker.Write(_p, Environment.ProcessId);
        Assert.Equal(Environment.ProcessId, PreStartMarker.LivePid(_p));
        PreStartMarker.Remove(_p);
        Assert.Null(PreStartMarker.LivePid(_p));
    }

    [Fact]
    public void APidNowGivenToAnotherProcessIsNotTheHook()
    {
        var started = ProcStat.StartTime(Environment.ProcessId);
        Assert.NotNull(started);
        File.WriteAllText(_p.PreStartMarker, $"{Environment.ProcessId} {started + 1}\n");
        Assert.Null(PreStartMarker.LivePid(_p));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("1 5")]
    [InlineData("-3 5")]
    public void AnUnreadableMarkerNamesNothing(string text)
    {
        File.WriteAllText(_p.PreStartMarker, text);
        Assert.Null(PreStartMarker.LivePid(_p));
    }

    [Fact]
    public void AGoneProcessHasNoStartTime() => Assert.Null(ProcStat.StartTime(int.MaxValue));
}
