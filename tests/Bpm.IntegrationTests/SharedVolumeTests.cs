using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace Bpm.IntegrationTests;

public class SharedVolumeTests
{
    [Fact]
    public void SharedVolumeIsBoundOnItselfAndMadeSharedOnce()
    {
        using var root = new BoshRoot();
        var volume = $"additional_volumes: [{{path: {root.P("data", "sockets")}, writable: true, shared: true}}]";
        root.WriteShellJob("a", $"echo a > {root.P("data", "sockets")}/a; exec sleep 1000", volume);
        root.WriteShellJob("b", "exec sleep 1000", volume);
        root.StartRunning("a");
        root.StartRunning("b");

        var host = root.P("data", "sockets");
        var entries = File.ReadAllLines("/proc/self/mountinfo").Where(l => l.Split(' ')[4] == host).ToList();
        // Bound once, though two jobs asked, and propagating ("shared:N" in the optional fields).
        Assert.Single(entries);
        Assert.Contains(" shared:", entries[0]);

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(host)));
        Assert.True(File.Exists(root.P("data", "bpm", "locks", $"vol-{hash}.lock")));

        BoshRoot.WaitFor(() => File.Exists(Path.Combine(host, "a")), "job a to write into the shared volume");
        var stat = BoshRoot.Stat(host);
        Assert.Equal("700", stat.Mode);

        Assert.Equal(0, root.Bpm("stop", "a").ExitCode);
        Assert.Equal(0, root.Bpm("stop", "b").ExitCode);
    }
}
