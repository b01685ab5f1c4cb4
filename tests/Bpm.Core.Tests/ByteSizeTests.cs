using Bpm.Config;
using Xunit;

namespace Bpm.Tests;

public class ByteSizeTests
{
    [Theory]
    [InlineData("1B", 1L)]
    [InlineData("512B", 512L)]
    [InlineData("1K", 1024L)]
    [InlineData("1KB", 1024L)]
    [InlineData("1M", 1024L * 1024)]
    [InlineData("1MB", 1024L * 1024)]
    [InlineData("1G", 1024L * 1024 * 1024)]
    [InlineData("1GB", 1024L * 1024 * 1024)]
    [InlineData("1T", 1024L * 1024 * 1024 * 1024)]
    [InlineData("1TB", 1024L * 1024 * 1024 * 1024)]
    [InlineData("1k", 1024L)]
    [InlineData("1kb", 1024L)]
    [InlineData("1m", 1024L * 1024)]
    [InlineData("1g", 1024L * 1024 * 1024)]
    [InlineData("1Gb", 1024L * 1024 * 1024)]
    [InlineData("1t", 1024L * 1024 * 1024 * 1024)]
    [InlineData("256M", 256L * 1024 * 1024)]
    [InlineData("1.5G", 1610612736L)]
    [InlineData("0.5K", 512L)]
    [InlineData("4096T", 4096L * 1024 * 1024 * 1024 * 1024)]
    public void ParsesSizes(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes), text);
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("1024")]
    [InlineData("0")]
    [InlineData("0G")]
    [InlineData("0B")]
    [InlineData("G")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("-1G")]
    [InlineData("+1G")]
    [InlineData("1X")]
    [InlineData("1GG")]
    [InlineData("1 G X")]
    [InlineData("G1")]
    [InlineData("1.2.3G")]
    [InlineData(".G")]
    [InlineData("abc")]
    [InlineData("9999999999T")]
    [InlineData("8388608T")]
    [InlineData("9223372036854775808B")]
    [InlineData("99999999999999999999999999999999G")]
    [InlineData("70000000000000000000000000000B")]
    public void RejectsInvalidSizes(string text)
    {
        Assert.False(ByteSize.TryParse(text, out var bytes), text);
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void LargestRepresentableSizeIsAccepted()
    {
        Assert.True(ByteSize.TryParse("9223372036854775807B", out var bytes));
        Assert.Equal(long.MaxValue, bytes);
    }

    // A number decimal can hold but whose product with the unit it cannot.
    [Theory]
    [InlineData("10000000000000000000000000G")]
    [InlineData("100000000000000000000000T")]
    public void HugeNumberOverflowsToInvalid(string text) => Assert.False(ByteSize.TryParse(text, out _));
}
