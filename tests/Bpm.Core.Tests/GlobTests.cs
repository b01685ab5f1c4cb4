using Bpm.Host;
using Xunit;

namespace Bpm.Tests;

public sealed class GlobTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bpm-glob-").FullName;

    public GlobTests()
    {
        foreach (var job in new[] { "web", "api", "db", "cache" })
        {
            Directory.CreateDirectory(Path.Join(_dir, "jobs", job, "config"));
            File.WriteAllText(Path.Join(_dir, "jobs", job, "config", "bpm.yml"), "");
        }
        File.WriteAllText(Path.Join(_dir, "jobs", "web", "config", "indicators.yml"), "");
        File.WriteAllText(Path.Join(_dir, "jobs", "db", "config", "indicators.yml"), "");
        Directory.CreateDirectory(Path.Join(_dir, "jobs", ".hidden", "config"));
        File.WriteAllText(Path.Join(_dir, "jobs", ".hidden", "config", "indicators.yml"), "");
        File.WriteAllText(Path.Join(_dir, "jobs", "web", "config", ".secret.yml"), "");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("*", "", true)]
    [InlineData("*.yml", "bpm.yml", true)]
    [InlineData("*.yml", "bpm.yaml", false)]
    [InlineData("a*b", "ab", true)]
    [InlineData("a*b", "axxxb", true)]
    [InlineData("a*b", "axxxbc", false)]
    [InlineData("a*b*c", "abxbxc", true)]
    [InlineData("?", "a", true)]
    [InlineData("?", "", false)]
    [InlineData("?", "ab", false)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("[a-c]", "a", true)]
    [InlineData("[a-c]", "b", true)]
    [InlineData("[a-c]", "c", true)]
    [InlineData("[a-c]", "d", false)]
    [InlineData("[a-c]", "", false)]
    [InlineData("[a-c]x", "bx", true)]
    [InlineData("[abc]", "b", true)]
    [InlineData("[abc]", "d", false)]
    [InlineData("[!a]", "b", true)]
    [InlineData("[!a]", "a", false)]
    [InlineData("[!a-c]", "d", true)]
    [InlineData("[!a-c]", "b", false)]
    [InlineData("job[0-9]", "job7", true)]
    [InlineData("job[0-9]", "jobx", false)]
    [InlineData("literal", "literal", true)]
    [InlineData("literal", "literals", false)]
    [InlineData("literal", "Literal", false)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    public void Matches(string pattern, string name, bool expected) =>
        Assert.Equal(expected, Glob.Matches(pattern, name));

    [Fact]
    public void ExpandsStarOverDirectoriesSorted()
    {
        var result = Glob.Expand(Path.Join(_dir, "jobs", "*", "config", "indicators.yml"));
        Assert.Equal(
            [Path.Join(_dir, "jobs", "db", "config", "indicators.yml"), Path.Join(_dir, "jobs", "web", "config", "indicators.yml")],
            result);
    }

    [Fact]
    public void StarListsDirectoryEntriesSortedWithoutDotFiles()
    {
        var result = Glob.Expand(Path.Join(_dir, "jobs", "*"));
        Assert.Equal(new[] { "api", "cache", "db", "web" }.Select(j => Path.Join(_dir, "jobs", j)), result);
    }

    [Fact]
    public void StarDoesNotMatchDotFilesInTheLastComponent()
    {
        var result = Glob.Expand(Path.Join(_dir, "jobs", "web", "config", "*"));
        Assert.Equal(
            [Path.Join(_dir, "jobs", "web", "config", "bpm.yml"), Path.Join(_dir, "jobs", "web", "config", "indicators.yml")],
            result);
    }

    [Fact]
    public void PatternStartingWithADotMatchesDotFiles()
    {
        var result = Glob.Expand(Path.Join(_dir, "jobs", ".*"));
        Assert.Equal([Path.Join(_dir, "jobs", ".hidden")], result);
    }

    [Fact]
    public void QuestionMarkAndRanges()
    {
        Assert.Equal([Path.Join(_dir, "jobs", "api"), Path.Join(_dir, "jobs", "web")], Glob.Expand(Path.Join(_dir, "jobs", "???")));
        Assert.Equal([Path.Join(_dir, "jobs", "api"), Path.Join(_dir, "jobs", "cache")], Glob.Expand(Path.Join(_dir, "jobs", "[a-c]*")));
        Assert.Equal([Path.Join(_dir, "jobs", "cache"), Path.Join(_dir, "jobs", "db"), Path.Join(_dir, "jobs", "web")], Glob.Expand(Path.Join(_dir, "jobs", "[!a]*")));
    }

    [Fact]
    public void LiteralPathMatchesOnlyWhenItExists()
    {
        var existing = Path.Join(_dir, "jobs", "web", "config", "bpm.yml");
        Assert.Equal([existing], Glob.Expand(existing));
        Assert.Empty(Glob.Expand(Path.Join(_dir, "jobs", "web", "config", "missing.yml")));
    }

    [Fact]
    public void NoMatchIsEmpty()
    {
        Assert.Empty(Glob.Expand(Path.Join(_dir, "jobs", "*", "config", "nothing*.yml")));
        Assert.Empty(Glob.Expand(Path.Join(_dir, "nowhere", "*")));
    }

    [Fact]
    public void RelativePatternIsRejected() => Assert.Throws<BpmException>(() => Glob.Expand("jobs/*"));
}
