namespace Bpm.IntegrationTests;

public sealed class SymlinkTests
{
    [Theory]
    [InlineData("start", "sym.stdout.log")]
    [InlineData("start", "sym.stderr.log")]
    [InlineData("start", "bpm.log")]
    [InlineData("run", "sym.stdout.log")]
    public void PlantedSymlinkIsRefused(string command, string file)
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("sym");
        var victim = root.P("victim.txt");
        File.WriteAllText(victim, "precious\n");
        File.SetUnixFileMode(victim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var before = BoshRoot.Stat(victim);
        Directory.CreateDirectory(root.LogDir("sym"));
        var link = Path.Combine(root.LogDir("sym"), file);
        File.CreateSymbolicLink(link, victim);

        var r = root.Bpm(command, "sym");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.StartsWith("Error: ", r.Stderr);
        Assert.Contains($"refusing to open symlink at {link}", r.Stderr);

        Assert.Equal("precious\n", File.ReadAllText(victim));
        Assert.Equal(before, BoshRoot.Stat(victim));
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Empty(root.RuncList());
    }
}
