using System.Diagnostics;

namespace Bpm.IntegrationTests;

/// <summary>Stop: TERM, 15 s, QUIT, 2 s, then killed (contract §4, §7). Each test takes 15-17 s.</summary>
public sealed class StopEscalationTests
{
    [Fact]
    public void QuitFollowsAnIgnoredTerm()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("stubborn", """
            trap '' TERM
            trap 'echo got-quit; exit 0' QUIT
            echo ready
            while :; do sleep 0.05; done
            """);
        root.StartRunning("stubborn");
        BoshRoot.WaitFor(() => File.ReadAllText(root.StdoutLog("stubborn")).Contains("ready"), "job ready");

        var sw = Stopwatch.StartNew();
        var stop = root.Bpm("stop", "stubborn");
        sw.Stop();
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.InRange(sw.Elapsed.TotalSeconds, 14, 20);
        Assert.Contains("got-quit", File.ReadAllText(root.StdoutLog("stubborn")));
        Assert.Empty(root.RuncList());
        Assert.False(File.Exists(root.PidFile("stubborn")));
    }

    [Fact]
    public void AJobIgnoringEverythingIsKilled()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("deaf", """
            trap '' TERM QUIT INT
            echo ready
            while :; do sleep 0.05; done
            """);
        var pid = root.StartRunning("deaf");
        BoshRoot.WaitFor(() => File.ReadAllText(root.StdoutLog("deaf")).Contains("ready"), "job ready");

        var sw = Stopwatch.StartNew();
        var stop = root.Bpm("stop", "deaf");
        sw.Stop();
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.InRange(sw.Elapsed.TotalSeconds, 16, 25);
        Assert.Empty(root.RuncList());
        BoshRoot.WaitFor(() => !Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(5), "container init gone");
        Assert.Equal(new ListRow("deaf", "-", "stopped"), root.ListRowFor("deaf"));
    }
}
