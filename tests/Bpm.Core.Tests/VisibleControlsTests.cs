using System.Text;
using Bpm.Output;
using Xunit;

namespace Bpm.Tests;

public class VisibleControlsTests
{
    private static string Show(params string[] chunks)
    {
        var v = new VisibleControls();
        var bytes = chunks.SelectMany(c => v.Render(Encoding.UTF8.GetBytes(c))).Concat(v.Finish()).ToArray();
        return Encoding.UTF8.GetString(bytes);
    }

    [Fact]
    public void EscapeSequencesBecomeCaretNotation() =>
        Assert.Equal("^[[31mred^[[0m ^[]0;title^G", Show("\e[31mred\e[0m \e]0;title\a"));

    [Fact]
    public void CarriageReturnBackspaceAndDeleteAreShown() =>
        Assert.Equal("a^Mb^Hc^?", Show("a\rb\bc\x7f"));

    [Fact]
    public void NewlineTabAndTextPassUnchanged() =>
        Assert.Equal("héllo\twörld €\n", Show("héllo\twörld €\n"));

    [Fact]
    public void C1ControlsShowAsTheirEscEquivalent() =>
        Assert.Equal("^[[2J", Show("\u009b2J"));

    [Fact]
    public void AC1ControlSplitAcrossChunksIsStillCaught()
    {
        var v = new VisibleControls();
        var first = v.Render([(byte)'x', 0xC2]);
        var second = v.Render([0x9B, (byte)'2', (byte)'J']);
        Assert.Equal("x^[[2J", Encoding.UTF8.GetString([.. first, .. second]));
    }

    [Fact]
    public void OtherTwoByteCharactersSplitAcrossChunksSurvive() =>
        Assert.Equal("\u00e9\u00a0", Show("\u00e9", "\u00a0"));

    [Fact]
    public void ALeadByteAtTheEndIsKept()
    {
        var v = new VisibleControls();
        Assert.Equal([(byte)'x'], v.Render([(byte)'x', 0xC2]));
        Assert.Equal([0xC2], v.Finish());
    }
}
