namespace Bpm.IntegrationTests;

public sealed class RunTests
{
    [Fact]
    public void RunPassesThroughExitStatusAndOutput()
    {
        using var root = new BoshRoot();
        root.WriteJob("runner", """
            processes:
            - name: runner
              executable: /bin/sh
              args: [-c, "echo hi; echo oops >&2; exit 3"]
            """);

        var r = root.Bpm("run", "runner");
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Contains("hi", r.Stdout);
        Assert.Contains("oops", r.Stderr);
        Assert.Contains("exit status 3", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.Contains("hi", File.ReadAllText(root.StdoutLog("runner")));
        Assert.Contains("oops", File.ReadAllText(root.StderrLog("runner")));
        // A finished run leaves no container behind.
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void RunOfASuccessfulProcessExitsZero()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("ok", "echo fine");
        var r = root.Bpm("run", "ok");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("fine\n", r.Stdout);
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void RunSetsDefaultEnvironmentAndConfigEnv()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("envjob", "env | sort", "env: {FOO: BAR, LANG: C.UTF-8}");
        var r = root.Bpm("run", "envjob");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n');
        Assert.Contains("FOO=BAR", lines);
        Assert.Contains("LANG=C.UTF-8", lines);
        Assert.Contains("TMPDIR=/var/vcap/data/envjob/tmp", lines);
        Assert.Contains("HOME=/var/vcap/data/envjob", lines);
        Assert.Contains("PATH=/var/vcap/jobs/envjob/bin:/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin:.", lines);
    }

    [Fact]
    public void RunEnvFlagAddsVariables()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("eflag", """echo "A=$A B=$B" """);
        var r = root.Bpm("run", "eflag", "-e", "A=1", "-e", "B=x=y");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("A=1 B=x=y", r.Stdout);
    }

    [Fact]
    public void RunVolumeFlagMountsAWritableVolume()
    {
        using var root = new BoshRoot();
        // Volume paths are host paths under the root, mounted at the same path inside.
        var vol = root.P("data", "shared-vol");
        root.WriteShellJob("vflag", $"echo written > {vol}/file && echo wrote");
        var r = root.Bpm("run", "vflag", "-v", vol + ":writable");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("written\n", File.ReadAllText(Path.Combine(vol, "file")));
        var st = BoshRoot.Stat(vol);
        Assert.True(st.Uid == BoshRoot.VcapUid && st.Mode == "700", $"volume dir: uid {st.Uid} mode {st.Mode}, want vcap 700");
    }

    [Fact]
    public void RunVolumeIsReadOnlyWithoutWritable()
    {
        using var root = new BoshRoot();
        var vol = root.P("data", "ro-vol");
        root.WriteShellJob("rovol", $"""
            if touch {vol}/file 2>/dev/null; then echo vol=rw; else echo vol=ro; fi
            """);
        var r = root.Bpm("run", "rovol", "-v", vol);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("vol=ro", r.Stdout);
    }

    [Fact]
    public void RunRejectsBadEnvFlag()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("bade", "echo should-not-run");
        var r = root.Bpm("run", "bade", "-e", "NOEQUALS");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("Error: ", r.Stderr);
        Assert.Contains("invalid envionment variable definition (format should be KEY=value): \"NOEQUALS\"", r.Stderr);
        Assert.DoesNotContain("should-not-run", r.Stdout);
    }

    [Theory]
    [InlineData("/a:b:c", "invalid volume definition (format: <path>[:<options>]): /a:b:c")]
    [InlineData("ROOT/data/v:writable,bogus", "invalid volume option: bogus")]
    [InlineData("/etc/bpm-vol", "invalid volume path: /etc/bpm-vol must be within ROOT")]
    [InlineData("ROOT/data/x/../v", "volume path must be canonical, expected ROOT/data/v but got ROOT/data/x/../v")]
    [InlineData("ROOT/data/badv", "invalid volume path: ROOT/data/badv cannot conflict with default job data or store directories")]
    public void RunRejectsBadVolumeFlag(string volume, string message)
    {
        using var root = new BoshRoot();
        root.WriteShellJob("badv", "echo should-not-run");
        var r = root.Bpm("run", "badv", "-v", volume.Replace("ROOT", root.Root));
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.StartsWith("Error: ", r.Stderr);
        Assert.Contains(message.Replace("ROOT", root.Root), r.Stderr);
        Assert.DoesNotContain("should-not-run", r.Stdout);
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void RunOfARunningJobDoesNothing()
    {
        using var root = new BoshRoot();
        root.WriteJob("busy", """
            processes:
            - name: busy
              executable: /bin/sleep
              args: ["1000"]
            """);
        var pid = root.StartRunning("busy");
        var r = root.Bpm("run", "busy");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(pid, root.ReadPidFile("busy"));
        Assert.Equal("running", root.RuncStatus("bpm-busy"));
    }

    [Fact]
    public void RunPropagatesStdoutFaithfully()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("bulk", "seq 1 20000");
        var r = root.Bpm("run", "bulk");
        Assert.True(r.ExitCode == 0, r.ToString()[..Math.Min(2000, r.ToString().Length)]);
        var expected = string.Join("", Enumerable.Range(1, 20000).Select(i => i + "\n"));
        Assert.True(r.Stdout == expected, "stdout of seq 1 20000 differs");
        Assert.True(File.ReadAllText(root.StdoutLog("bulk")) == expected, "stdout log of seq 1 20000 differs");
    }

    [Fact]
    public void AdditionalVolumeFromConfigIsMounted()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("cfgvol", $"""
            echo hello > {root.P("data", "sockets")}/out
            if touch {root.P("data", "readonly")}/x 2>/dev/null; then echo ro=writable; else echo ro=readonly; fi
            """, $$"""
            additional_volumes:
            - {path: {{root.P("data", "sockets")}}, writable: true}
            - {path: {{root.P("data", "readonly")}}}
            """);
        var r = root.Bpm("run", "cfgvol");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("hello\n", File.ReadAllText(root.P("data", "sockets", "out")));
        Assert.Contains("ro=readonly", r.Stdout);
    }
}
