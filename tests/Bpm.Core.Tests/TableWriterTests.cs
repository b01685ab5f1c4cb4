using Bpm.Output;
using Xunit;

namespace Bpm.Tests;

public class TableWriterTests
{
    [Fact]
    public void PadsEveryColumnButTheLastToItsWidestCellPlusOne()
    {
        var text = TableWriter.Format([["Name", "Pid", "Status"], ["web", "7036", "running"]]);
        Assert.Equal("Name Pid  Status\nweb  7036 running\n", text);
    }

    [Fact]
    public void HeaderOnly() =>
        Assert.Equal("Name Pid Status\n", TableWriter.Format([["Name", "Pid", "Status"]]));

    [Fact]
    public void ListStyleTable()
    {
        var text = TableWriter.Format(
        [
            ["Name", "Pid", "Status"],
            ["web", "7036", "running"],
            ["web.worker-long-name", "-", "stopped"],
            ["db", "12", "failed"],
        ]);
        Assert.Equal(
            "Name                 Pid  Status\n" +
            "web                  7036 running\n" +
            "web.worker-long-name -    stopped\n" +
            "db                   12   failed\n",
            text);
    }

    [Fact]
    public void LastColumnIsNeverPadded()
    {
        var text = TableWriter.Format([["a", "short"], ["b", "much longer"]]);
        Assert.Equal("a short\nb much longer\n", text);
    }

    [Fact]
    public void EmptyCellsStillTakeOneSpaceOfPadding()
    {
        var text = TableWriter.Format([["", "x"], ["", "y"]]);
        Assert.Equal(" x\n y\n", text);
    }
}
