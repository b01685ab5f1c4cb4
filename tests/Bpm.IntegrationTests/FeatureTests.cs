namespace Bpm.IntegrationTests;

/// <summary>bpm.yml features beyond the defaults: disks, capabilities, unsafe options (hooks: PreStartHookTests).</summary>
public sealed class FeatureTests
{
    [Fact]
    public void EphemeralAndPersistentDisksAreWritable()
    {
        using var root = new BoshRoot();
        Directory.CreateDirectory(root.P("store"));
        root.WriteShellJob("disks", """
            echo eph > /var/vcap/data/disks/eph-file && echo eph=ok
            echo per > /var/vcap/store/disks/per-file && echo per=ok
            """, "ephemeral_disk: true\npersistent_disk: true");
        var r = root.Bpm("run", "disks");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("eph\n", File.ReadAllText(root.P("data", "disks", "eph-file")));
        Assert.Equal("per\n", File.ReadAllText(root.P("store", "disks", "per-file")));
        foreach (var dir in new[] { root.P("data", "disks"), root.P("store", "disks") })
        {
            var st = BoshRoot.Stat(dir);
            Assert.True(st.Uid == BoshRoot.VcapUid && st.Mode == "700", $"{dir}: uid {st.Uid} mode {st.Mode}, want vcap 700");
        }
    }

    [Fact]
    public void CapabilitiesAreGrantedAsAmbient()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("caps", "grep -E '^Cap(Amb|Bnd|Eff):' /proc/self/status", "capabilities: [NET_BIND_SERVICE]");
        var r = root.Bpm("run", "caps");
        Assert.True(r.ExitCode == 0, r.ToString());
        // CAP_NET_BIND_SERVICE is bit 10
        Assert.Matches(@"CapAmb:\s+0000000000000400", r.Stdout);
        Assert.Matches(@"CapBnd:\s+0000000000000400", r.Stdout);
    }

    [Fact]
    public void PrivilegedRunsAsRootWithoutSeccomp()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("priv", "id -u; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status", "unsafe: {privileged: true}");
        var r = root.Bpm("run", "priv");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n');
        Assert.Equal("0", lines[0]);
        Assert.Matches(@"Seccomp:\s+0", r.Stdout);
        Assert.Matches(@"NoNewPrivs:\s+0", r.Stdout);
    }

    [Fact]
    public void HostPidNamespaceShowsHostProcesses()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("hostpid", "if [ -d /proc/$PARENT ]; then echo sees-host; else echo isolated; fi",
            "unsafe: {host_pid_namespace: true}");
        var r = root.Bpm("run", "hostpid", "-e", "PARENT=" + Environment.ProcessId);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("sees-host", r.Stdout);
    }
}
