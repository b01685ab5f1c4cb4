using Bpm.Status;
using Xunit;

namespace Bpm.Tests;

public class ProcessEndTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 8, 2, 0, 0, TimeSpan.Zero);

    private static int Exited(int code) => code << 8;

    [Theory]
    [InlineData(0, 0)]
    [InlineData(7, 7)]
    [InlineData(1, 1)]
    [InlineData(128, 128)]
    // 255 - 128 is no signal: a plain exit code.
    [InlineData(255, 255)]
    public void AnExitCodeIsKeptAsSuch(int code, int expected)
    {
        var end = ProcessEnd.Of(Exited(code), At, oomKilled: false, stoppedByBpm: false);
        Assert.Equal(expected, end.ExitCode);
        Assert.Null(end.ExitSignal);
    }

    [Theory]
    [InlineData(137, "KILL")]
    [InlineData(143, "TERM")]
    [InlineData(130, "INT")]
    [InlineData(139, "SEGV")]
    [InlineData(134, "ABRT")]
    public void TinisCodeForAChildKilledBySignalNamesTheSignal(int code, string signal)
    {
        var end = ProcessEnd.Of(Exited(code), At, false, false);
        Assert.Null(end.ExitCode);
        Assert.Equal(signal, end.ExitSignal);
    }

    [Theory]
    [InlineData(9, "KILL")]
    [InlineData(15, "TERM")]
    // The core-dump bit does not change which signal it was.
    [InlineData(0x80 | 11, "SEGV")]
    public void TiniKilledItselfNamesTheSignal(int status, string signal)
    {
        var end = ProcessEnd.Of(status, At, false, false);
        Assert.Null(end.ExitCode);
        Assert.Equal(signal, end.ExitSignal);
    }

    [Theory]
    [InlineData(1, "HUP")]
    [InlineData(31, "SYS")]
    [InlineData(34, "RTMIN")]
    [InlineData(35, "RTMIN+1")]
    [InlineData(63, "RTMAX-1")]
    [InlineData(64, "RTMAX")]
    [InlineData(32, "32")]
    public void SignalNames_AsKillLists(int signal, string name) => Assert.Equal(name, SignalNames.Of(signal));

    [Fact]
    public void DescribeSaysWhatIsKnown()
    {
        Assert.Equal("exit code 7 at 2026-12-08T02:00:00Z", ProcessEnd.Of(Exited(7), At, false, false).Describe());
        Assert.Equal("killed by KILL, memory limit reached at 2026-12-08T02:00:00Z", ProcessEnd.Of(9, At, true, false).Describe());
        Assert.Equal("killed by TERM, stopped by bpm at 2026-12-08T02:00:00Z", ProcessEnd.Of(Exited(143), At, false, true).Describe());
    }

    [Fact]
    public void HistoryCountsStartsSinceTheLastStopAndKeepsTheEndBefore()
    {
        var crash = ProcessEnd.Of(Exited(7), At, false, false);
        var first = ExitHistory.Empty.Started();
        Assert.Equal(0, first.Restarts);
        Assert.Null(first.End);
        var crashed = first.Ended(crash);
        Assert.Equal(crash, crashed.End);
        var again = crashed.Started();
        Assert.Null(again.End);
        Assert.Equal(crash, again.LastExit);
        Assert.Equal(1, again.Restarts);
        var stopped = again.Ended(ProcessEnd.Of(Exited(143), At, false, true)).Stopped();
        Assert.Equal(0, stopped.Started().Restarts);
        Assert.True(stopped.Started().LastExit!.StoppedByBpm);
    }

    [Fact]
    public void HistoryRoundTripsThroughItsRecord()
    {
        var history = ExitHistory.Empty.Started().Ended(ProcessEnd.Of(9, At, true, false)).Started();
        var json = history.ToJson();
        Assert.Equal(history, ExitHistory.FromJson(json));
        var text = System.Text.Encoding.UTF8.GetString(json);
        Assert.Equal("""{"end":null,"last_exit":{"exit_code":null,"exit_signal":"KILL","exited_at":"2026-12-08T02:00:00.000Z","oom_killed":true,"stopped_by_bpm":false},"starts":2}""", text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"end\":")]
    [InlineData("{\"end\":{\"exit_code\":7},\"starts\":-3}")]
    public void ARecordThatIsNotOneIsEmpty(string text)
    {
        var history = ExitHistory.FromJson(System.Text.Encoding.UTF8.GetBytes(text));
        Assert.Null(history.End);
        Assert.Equal(0, history.Starts);
    }

    [Fact]
    public void AnExitReasonNamesTheRecordedEnd()
    {
        Assert.Equal("exited on its own: exit code 7", ExitReasons.OfDetached(null, ProcessEnd.Of(Exited(7), At, false, false)));
        Assert.Equal("exited on its own: killed by KILL", ExitReasons.OfDetached(null, ProcessEnd.Of(9, At, false, false)));
        Assert.Equal(ExitReasons.Oom, ExitReasons.OfDetached(null, ProcessEnd.Of(9, At, true, false)));
        Assert.Equal("exited on its own (exit status not known to bpm)", ExitReasons.OfDetached(null));
    }
}
