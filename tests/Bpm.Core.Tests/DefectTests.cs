using System.Text.Json;
using Bpm.Bosh;
using Bpm.Host;
using Bpm.Identity;
using Bpm.Lifecycle;
using Bpm.Logging;
using Xunit;

namespace Bpm.Tests;

// A bug in bpm must not pass for an operator's mistake: it says so, and leaves its stack in bpm.log.
public sealed class DefectTests
{
    [Theory]
    [InlineData(typeof(NullReferenceException), true)]
    [InlineData(typeof(InvalidOperationException), true)]
    [InlineData(typeof(ArgumentException), true)]
    [InlineData(typeof(KeyNotFoundException), true)]
    [InlineData(typeof(IndexOutOfRangeException), true)]
    [InlineData(typeof(IOException), false)]
    [InlineData(typeof(DirectoryNotFoundException), false)]
    [InlineData(typeof(UnauthorizedAccessException), false)]
    public void OnlyWhatTheHostCannotCauseIsADefect(Type type, bool defect)
    {
        var e = (Exception)Activator.CreateInstance(type, "boom")!;
        Assert.Equal(defect, Defect.Is(e));
    }

    [Fact]
    public void BpmsOwnErrorsAreNotDefects()
    {
        Assert.False(Defect.Is(new BpmException("must specify a job")));
        Assert.False(Defect.Is(new Config.ConfigException([])));
    }

    [Fact]
    public void ADefectIsOneLineThatSaysItIsABug()
    {
        var line = Defect.OneLine(new InvalidOperationException("two\nlines"));
        Assert.Equal("internal error (a bug in bpm): InvalidOperationException: two lines", line);
    }

    [Fact]
    public void BpmLogRecordsADefectWithItsStackTraceAndRethrowsIt()
    {
        var dir = Directory.CreateTempSubdirectory("bpm-defect-").FullName;
        try
        {
            var p = ProcessRef.Of(new BoshRoot(dir), "web");
            var path = p.BpmLog;
            using (var log = new BpmLog("start", p, () => new UserIds(0, 0)))
            {
                Assert.True(log.Open(required: true));
                Assert.Throws<InvalidOperationException>(() => JobLifecycle.Failing<int>(log, () => { Thrower(); return 0; }));
                Assert.Throws<BpmException>(() => JobLifecycle.Failing<int>(log, () => throw new BpmException("runc not found")));
            }
            var records = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(2, records.Count);
            var defect = records[0].GetProperty("data");
            Assert.Equal("error", records[0].GetProperty("level").GetString());
            Assert.Equal("bpm.start.failed", records[0].GetProperty("message").GetString());
            Assert.Equal("internal error (a bug in bpm): InvalidOperationException: broken", defect.GetProperty("error").GetString());
            Assert.Contains(nameof(Thrower), defect.GetProperty("stack_trace").GetString());
            var plain = records[1].GetProperty("data");
            Assert.Equal("runc not found", plain.GetProperty("error").GetString());
            Assert.False(plain.TryGetProperty("stack_trace", out _));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Thrower() => throw new InvalidOperationException("broken");
}
