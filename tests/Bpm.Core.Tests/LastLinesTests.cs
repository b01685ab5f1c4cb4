using System.Text;
using Bpm.Logging;
using Xunit;

namespace Bpm.Tests;

// The back-scan of `bpm logs -n N`: tail's lines, at a cost bounded by the lines asked for.
public class LastLinesTests
{
    // A file of `size` bytes that reads as zeros except for `tail` at its end, as a sparse log
    // reads; counts the bytes read.
    private sealed class File(long size, byte[] tail)
    {
        public long Read { get; private set; }
        public long Size => size;

        public int ReadAt(long offset, Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, Math.Max(0, size - offset));
            for (int i = 0; i < n; i++)
            {
                long at = offset + i - (size - tail.Length);
                buffer[i] = at >= 0 ? tail[at] : (byte)0;
            }
            Read += n;
            return n;
        }
    }

    private static string Shown(string text, int lines)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var start = (int)LastLines.Start(bytes.Length, lines, new File(bytes.Length, bytes).ReadAt);
        return Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
    }

    [Theory]
    [InlineData("a\nb\nc\n", 2, "b\nc\n")]
    [InlineData("a\nb\nc\n", 3, "a\nb\nc\n")]
    [InlineData("a\nb\nc\n", 25, "a\nb\nc\n")]
    [InlineData("a\nb\nc", 1, "c")]
    [InlineData("a\nb\nc", 2, "b\nc")]
    [InlineData("a\nb\nc\n", 1, "c\n")]
    [InlineData("a\nb\nc\n", 0, "")]
    [InlineData("", 5, "")]
    [InlineData("\n", 1, "\n")]
    [InlineData("\n\n\n", 2, "\n\n")]
    [InlineData("only", 3, "only")]
    [InlineData("x\n\ny\n", 2, "\ny\n")]
    public void AsTailCountsLines(string text, int lines, string expected) => Assert.Equal(expected, Shown(text, lines));

    [Fact]
    public void LinesAcrossChunksAreFound()
    {
        var line = new string('x', 100_000) + "\n";
        var text = string.Concat(Enumerable.Repeat(line, 5));
        Assert.Equal(line + line, Shown(text, 2));
    }

    [Fact]
    public void AHugeSparseFileCostsOnlyItsLastLines()
    {
        var file = new File(100L << 30, Encoding.ASCII.GetBytes("one\ntwo\nthree\nfour\nfive\nsix\n"));
        long start = LastLines.Start(file.Size, 5, file.ReadAt);
        Assert.Equal(file.Size - "two\nthree\nfour\nfive\nsix\n".Length, start);
        Assert.True(file.Read <= 64 * 1024, $"read {file.Read} bytes");
    }

    // Fewer lines than asked for above 100 GB of zeros: the first "line" is cut to its last MiB.
    [Fact]
    public void ALineLongerThanTheBoundIsCutToItsEnd()
    {
        var tail = Encoding.ASCII.GetBytes("a\nb\nc\n");
        var file = new File(100L << 30, tail);
        long start = LastLines.Start(file.Size, 5, file.ReadAt);
        // "a\n" ends the over-long line: it is shown as its last MaxLine bytes.
        Assert.Equal(file.Size - 4 - LastLines.MaxLine, start);
        Assert.True(file.Read <= LastLines.MaxLine + 2 * 64 * 1024, $"read {file.Read} bytes");
    }

    [Fact]
    public void ALineOfExactlyTheBoundIsWhole()
    {
        var line = new string('x', LastLines.MaxLine - 1) + "\n";
        var text = "before\n" + line + "last\n";
        Assert.Equal(line + "last\n", Shown(text, 2));
        Assert.Equal(text, Shown(text, 5));
    }

    [Fact]
    public void EachLineHasItsOwnBound()
    {
        var longLine = new string('y', LastLines.MaxLine + 10) + "\n";
        var text = "first\n" + longLine + "a\nb\n";
        var shown = Shown(text, 10);
        Assert.Equal(LastLines.MaxLine + 4, shown.Length);
        Assert.EndsWith("y\na\nb\n", shown);
    }

    [Fact]
    public void AFileThatShrinksMeanwhileShowsNothing()
    {
        var file = new File(10, Encoding.ASCII.GetBytes("a\nb\n"));
        Assert.Equal(20, LastLines.Start(20, 1, file.ReadAt));
    }
}
