namespace Bpm.IntegrationTests;

public sealed class SymlinkTests
{
    [Theory]
    [InlineData("start", "sym.stdout.log")]
    [InlineData("start", "sym.stderr.log")]
    [InlineData("start", "bpm.log")]
    [InlineData("run", "sym.stdout.log")]
    public void PlantedSymlinkIsMovedAsideNotFollowed(string command, string file)
    {
        using var root = new BoshRoot();
        // `bpm run` waits for its job, so that one exits at once.
        root.WriteShellJob("sym", command == "run" ? "exit 0" : "exec sleep 1000");
        var victim = root.P("victim.txt");
        File.WriteAllText(victim, "precious\n");
        File.SetUnixFileMode(victim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var before = BoshRoot.Stat(victim);
        Directory.CreateDirectory(root.LogDir("sym"));
        var link = Path.Combine(root.LogDir("sym"), file);
        File.CreateSymbolicLink(link, victim);

        var r = root.Bpm(command, "sym");
        Assert.True(r.ExitCode == 0, r.ToString());
        if (command == "start")
        {
            var stop = root.Bpm("stop", "sym");
            Assert.True(stop.ExitCode == 0, stop.ToString());
        }

        Assert.Equal("precious\n", File.ReadAllText(victim));
        Assert.Equal(before, BoshRoot.Stat(victim));
        var aside = Assert.Single(Directory.GetFileSystemEntries(root.LogDir("sym"), file + ".impostor-*"));
        Assert.Equal(victim, new FileInfo(aside).LinkTarget);
        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.True(File.Exists(link));
        Assert.Contains($"\"old\":\"{link}\",\"new\":\"{aside}\"", File.ReadAllText(root.BpmLog("sym")));
        Assert.Empty(root.RuncList());
    }
}
