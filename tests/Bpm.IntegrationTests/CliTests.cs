namespace Bpm.IntegrationTests;

public sealed class CliTests
{
    [Theory]
    [InlineData("version")]
    [InlineData("--version")]
    public void VersionPrintsAVersionLine(string arg)
    {
        using var root = new BoshRoot();
        var r = root.Bpm(arg);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"^\S*\d+\.\d+\.\d+\S*\n$", r.Stdout);
    }

    [Fact]
    public async Task NonRootIsRefused()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("web");
        var r = await BoshRoot.Exec("setpriv",
            ["--reuid=" + BoshRoot.VcapUid, "--regid=" + BoshRoot.VcapGid, "--clear-groups", BoshRoot.BpmBin, "list"],
            new Dictionary<string, string> { ["BPM_BOSH_ROOT"] = root.Root }, BoshRoot.CommandTimeout);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("Error: bpm must be run as root. Please run 'sudo -i' to become the root user.", r.Stderr);
    }

    [Fact]
    public void ListWithNoJobsPrintsTheHeader()
    {
        using var root = new BoshRoot();
        var r = root.Bpm("list");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("Name Pid Status\n", r.Stdout);
    }
}
