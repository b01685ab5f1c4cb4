using System.Text;
using Bpm.Runc;
using Xunit;

namespace Bpm.Tests;

public class StateFileTests
{
    private const string State = """{"id":"bpm-web","init_process_pid":1988,"init_process_start":171495,"created":"2026-11-26T16:20:44.312274504Z","config":{}}""";

    private static ContainerState? Parse(string json, bool fifo, (long, char)? stat) =>
        StateFile.Parse("bpm-web", Encoding.UTF8.GetBytes(json), fifo, _ => stat);

    [Fact]
    public void AliveInitWithMatchingStartTimeIsRunning()
    {
        var s = Parse(State, false, (171495, 'S'))!;
        Assert.Equal(ContainerStatus.Running, s.Status);
        Assert.Equal(1988, s.Pid);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 16, 20, 44, TimeSpan.Zero).AddTicks(3122745), s.Created);
    }

    [Theory]
    [InlineData(171495L, 'Z')]
    [InlineData(171495L, 'X')]
    [InlineData(999L, 'S')]
    public void ZombieDeadOrReusedPidIsStopped(long start, char state)
    {
        var s = Parse(State, false, (start, state))!;
        Assert.Equal(ContainerStatus.Exited, s.Status);
        Assert.Equal(0, s.Pid);
    }

    [Fact]
    public void FieldsOfTheSameNameInsideTheSpecAreNotTheState()
    {
        var json = """{"id":"bpm-web","config":{"init_process_pid":7,"created":"2000-01-01T00:00:00Z","a":[1,{"b":[]}]},"init_process_pid":1988,"init_process_start":"171495","created":"2026-11-26T16:20:44Z","x":null}""";
        var s = Parse(json, false, (171495, 'S'))!;
        Assert.Equal(1988, s.Pid);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 16, 20, 44, TimeSpan.Zero), s.Created);
    }

    [Fact]
    public void MissingProcessIsStopped() => Assert.Equal(ContainerStatus.Exited, Parse(State, false, null)!.Status);

    [Fact]
    public void ExecFifoMeansCreated() => Assert.Equal(ContainerStatus.Created, Parse(State, true, (171495, 'S'))!.Status);

    [Fact]
    public void UnknownLayoutDefersToRunc() => Assert.Null(Parse("""{"id":"x","status":"running"}""", false, null));

    [Theory]
    [InlineData("{\"id\":")]
    [InlineData("")]
    [InlineData("{\"init_process_pid\":\"x\",\"init_process_start\":1}")]
    [InlineData("[1]")]
    [InlineData("{\"init_process_pid\":1,\"init_process_start\":1,\"config\":{\"a\":[")]
    public void TruncatedOrGarbledStateIsUnknownWithTheReason(string json)
    {
        var s = Parse(json, false, null)!;
        Assert.Equal(ContainerStatus.Unknown, s.Status);
        Assert.StartsWith("failed to parse state of bpm-web", s.Problem);
    }

    [Fact]
    public void ProcStatFieldsAreCountedAfterTheCommandName()
    {
        var line = "4242 (we) ird (name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 171495 2592000 400 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        Assert.Equal((171495L, 'S'), Bpm.Host.ProcStat.Parse(line));
        Assert.Null(Bpm.Host.ProcStat.Parse("garbage"));
    }

    [Fact]
    public void OwnProcessIsReadFromProc()
    {
        var stat = Bpm.Host.ProcStat.Read(Environment.ProcessId);
        Assert.NotNull(stat);
        Assert.True(stat.Value.StartTime > 0);
    }
}
