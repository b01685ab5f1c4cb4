namespace Bpm.IntegrationTests;

/// <summary>
/// Volume paths are host paths under the root bpm uses (here BPM_BOSH_ROOT), mounted at the
/// same path inside the container.
/// </summary>
public sealed class VolumeRootTests
{
    [Fact]
    public void FileFlagAndGlobVolumesUnderTheRootAreMountedAtTheirHostPaths()
    {
        using var root = new BoshRoot();
        var fromFile = root.P("data", "from-file");
        var fromFlag = root.P("data", "from-flag");
        var other = root.P("jobs", "other", "config", "indicators.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(other)!);
        File.WriteAllText(other, "indicator\n");
        root.WriteShellJob("vr", $"""
            echo file > {fromFile}/out
            echo flag > {fromFlag}/out
            echo "glob=$(cat {other})"
            """, $$"""
            additional_volumes:
            - {path: {{fromFile}}, writable: true}
            unsafe:
              unrestricted_volumes:
              - path: {{root.P("jobs", "*", "config", "indicators.yml")}}
            """);

        var r = root.Bpm("run", "vr", "-v", fromFlag + ":writable");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("file\n", File.ReadAllText(Path.Combine(fromFile, "out")));
        Assert.Equal("flag\n", File.ReadAllText(Path.Combine(fromFlag, "out")));
        Assert.Contains("glob=indicator", r.Stdout);
        var config = File.ReadAllText(root.BpmLog("vr"));
        Assert.Contains("bpm.run.complete", config);
    }

    [Fact]
    public void StartMountsAVolumeUnderTheRootAndValidateAcceptsIt()
    {
        using var root = new BoshRoot();
        var vol = root.P("data", "sockets");
        root.WriteShellJob("vs", $"echo hi > {vol}/hi; exec sleep 1000", $"additional_volumes: [{{path: {vol}, writable: true}}]");
        Assert.Equal(0, root.Bpm("validate", "vs").ExitCode);
        root.StartRunning("vs");
        BoshRoot.WaitFor(() => File.Exists(Path.Combine(vol, "hi")), "the job to write into its volume");
        Assert.Equal(0, root.Bpm("stop", "vs").ExitCode);
    }
}
