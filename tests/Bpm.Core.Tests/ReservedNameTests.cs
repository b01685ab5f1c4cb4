using Bpm.Bosh;
using Bpm.Config;
using Bpm.Identity;
using Xunit;

namespace Bpm.Tests;

// Job names whose own directories would be directories bpm or BOSH keeps.
public class ReservedNameTests
{
    public static TheoryData<string, string> Reserved => new()
    {
        { "bpm", "bpm's own (data/bpm, sys/run/bpm)" },
        { "bpm-runc", "bpm's own (sys/run/bpm-runc)" },
        { "jobs", "BOSH's (data/jobs)" },
        { "packages", "BOSH's (data/packages)" },
        { "sys", "BOSH's (data/sys)" },
        { "compile", "BOSH's (data/compile)" },
        { "blobs", "BOSH's (data/blobs)" },
        { "tmp", "BOSH's (data/tmp)" },
        { "root_tmp", "BOSH's (data/root_tmp)" },
        { "lost+found", "the filesystem's (data/lost+found, store/lost+found)" },
    };

    [Theory]
    [MemberData(nameof(Reserved))]
    public void AJobMayNotHaveTheName(string job, string owner)
    {
        var expected = $"invalid job name \"{job}\": it is {owner}";
        Assert.Equal(expected, ProcessRef.NameProblem("job", job));
        Assert.Equal(expected, ProcessRef.Problem(job, "web"));
        Assert.Equal(expected, Assert.Throws<BpmException>(() => ProcessRef.Of(new BoshRoot("/tmp/x"), job)).Message);
    }

    [Theory]
    [MemberData(nameof(Reserved))]
    public void AProcessMayHaveTheName(string name, string _)
    {
        Assert.Null(ProcessRef.NameProblem("process", name));
        Assert.Null(ProcessRef.Problem("web", name));
    }

    // Every path a process's name goes into lies inside its job's own directories, with a suffix.
    [Theory]
    [MemberData(nameof(Reserved))]
    public void AProcessNamedSoStaysInsideItsJobsDirectories(string name, string _)
    {
        var p = ProcessRef.Of(new BoshRoot("/r"), "web", name);
        foreach (var path in new[] { p.Stdout, p.Stderr, p.PidFile, p.PreStartMarker, p.ExitFile, p.OomCountFile, p.BundleDir })
            Assert.Matches(@"^/r/(sys/log/web|sys/run/bpm/web|data/bpm/bundles/web)/", path);
    }

    [Theory]
    [InlineData("Bpm")]
    [InlineData("bpm2")]
    [InlineData("bpm-runc2")]
    [InlineData("package")]
    [InlineData("job")]
    [InlineData("store")]
    [InlineData("data")]
    public void NamesNearThemAreFine(string job) => Assert.Null(ProcessRef.NameProblem("job", job));

    [Fact]
    public void OtherNameErrorsKeepTheirMessages()
    {
        Assert.Equal("invalid job name: \"..\"", ProcessRef.NameProblem("job", ".."));
        Assert.Equal("invalid process name: \"a/b\"", ProcessRef.NameProblem("process", "a/b"));
    }

    // validate says it once for the file, at the first process's name, not once per process.
    [Fact]
    public void ValidateReportsTheJobNameOnce()
    {
        var at = new Dictionary<string, SourcePosition> { ["name"] = new(2, 9) };
        var config = new JobConfig([
            new ProcessConfig { Name = "bpm", Executable = "/bin/a", KeyPositions = at },
            new ProcessConfig { Name = "other", Executable = "/bin/b", KeyPositions = new Dictionary<string, SourcePosition> { ["name"] = new(5, 9) } },
        ]);
        var errors = ConfigValidator.Validate("bpm.yml", "bpm", config);
        Assert.Equal(["bpm.yml:2:9: invalid config: invalid job name \"bpm\": it is bpm's own (data/bpm, sys/run/bpm)"],
            errors.Select(e => e.ToString()));
    }
}
