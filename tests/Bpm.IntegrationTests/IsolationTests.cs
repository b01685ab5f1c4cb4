namespace Bpm.IntegrationTests;

public sealed class IsolationTests
{
    private const string ProbeScript = """
        echo "uid=$(id -u)"
        echo "gid=$(id -g)"
        grep -E '^(Seccomp|NoNewPrivs|CapEff|CapPrm|CapInh|CapAmb):' /proc/self/status | tr -d ' \t' | sed 's/:/=/'
        echo "procs=$(ls /proc | grep -cE '^[0-9]+$')"
        echo "init=$(tr '\0' ' ' < /proc/1/cmdline)"
        for p in /proc/[0-9]*; do echo "cmd=$(tr '\0' ' ' < $p/cmdline 2>/dev/null)"; done
        for d in /var/vcap/jobs/other /var/vcap/sys/log/other /var/vcap/data/other /var/vcap/sys/run/other; do
          if [ -e "$d" ]; then echo "visible=$d"; fi
        done
        if [ -d /var/vcap/jobs/probe ]; then echo own_job=visible; fi
        if touch /usr/bpm-probe 2>/dev/null; then echo usr_touch=ok; else echo usr_touch=fail; fi
        echo "usr_opts=$(awk '$5=="/usr"{print $6}' /proc/self/mountinfo)"
        echo "jobdir_opts=$(awk '$5=="/var/vcap/jobs/probe"{print $6}' /proc/self/mountinfo)"
        if touch /var/vcap/sys/log/probe/probe-wrote 2>/dev/null; then echo log_touch=ok; else echo log_touch=fail; fi
        echo shared > /tmp/tmpfile && cat "$TMPDIR/tmpfile" | sed 's/^/tmpdir=/'
        cat /var/tmp/tmpfile | sed 's/^/vartmp=/'
        cp /bin/true /tmp/true-copy && { /tmp/true-copy 2>/dev/null; echo "tmp_exec=$?"; }
        if unshare -r true 2>/dev/null; then echo unshare=ok; else echo unshare=fail; fi
        echo "pwd=$(pwd)"
        """;

    private static Dictionary<string, List<string>> RunProbe(BoshRoot root)
    {
        root.WriteShellJob("probe", ProbeScript);
        var r = root.Bpm("run", "probe");
        Assert.True(r.ExitCode == 0, r.ToString());
        var kv = new Dictionary<string, List<string>>();
        foreach (var line in r.Stdout.Split('\n'))
        {
            var i = line.IndexOf('=');
            if (i > 0)
            {
                var k = line[..i];
                if (!kv.TryGetValue(k, out var list))
                {
                    kv[k] = list = [];
                }
                list.Add(line[(i + 1)..]);
            }
        }
        return kv;
    }

    private static string One(Dictionary<string, List<string>> kv, string key) =>
        kv.TryGetValue(key, out var v) ? Assert.Single(v) : throw new Xunit.Sdk.XunitException($"probe printed no {key}=");

    [Fact]
    public void ProcessIsConfined()
    {
        using var root = new BoshRoot();
        root.WriteJob("other", """
            processes:
            - name: other
              executable: /bin/sleep
              args: ["1000"]
            """);
        root.StartRunning("other");

        var kv = RunProbe(root);

        // runs as vcap
        Assert.Equal(BoshRoot.VcapUid.ToString(), One(kv, "uid"));
        Assert.Equal(BoshRoot.VcapGid.ToString(), One(kv, "gid"));
        // seccomp filter, no new privileges, no capabilities
        Assert.Equal("2", One(kv, "Seccomp"));
        Assert.Equal("1", One(kv, "NoNewPrivs"));
        Assert.Equal("0000000000000000", One(kv, "CapEff"));
        Assert.Equal("0000000000000000", One(kv, "CapPrm"));
        Assert.Equal("0000000000000000", One(kv, "CapAmb"));
        Assert.Equal("fail", One(kv, "unshare"));
        // own pid namespace with tini as pid 1; the other job's processes are invisible
        Assert.StartsWith("/var/vcap/packages/bpm/bin/tini ", One(kv, "init"));
        Assert.True(int.Parse(One(kv, "procs")) < 10, "too many processes visible: " + One(kv, "procs"));
        Assert.DoesNotContain(kv["cmd"], c => c.Contains("sleep"));
        // other jobs' directories are not mounted
        Assert.False(kv.ContainsKey("visible"), "visible: " + string.Join(", ", kv.GetValueOrDefault("visible") ?? []));
        Assert.Equal("visible", One(kv, "own_job"));
        Assert.Equal("/var/vcap/jobs/probe", One(kv, "pwd"));
        // read-only system dirs, read-only job dir, writable log dir
        Assert.Equal("fail", One(kv, "usr_touch"));
        Assert.Matches("^ro(,|$)", One(kv, "usr_opts"));
        Assert.Matches("^ro(,|$)", One(kv, "jobdir_opts"));
        Assert.Equal("ok", One(kv, "log_touch"));
        Assert.True(File.Exists(Path.Combine(root.LogDir("probe"), "probe-wrote")));
        Assert.False(File.Exists("/usr/bpm-probe"));
        // /tmp, /var/tmp and TMPDIR are one host dir, mounted noexec
        Assert.Equal("shared", One(kv, "tmpdir"));
        Assert.Equal("shared", One(kv, "vartmp"));
        Assert.True(File.Exists(root.P("data", "probe", "tmp", "tmpfile")), "/tmp is not data/JOB/tmp on the host");
        Assert.NotEqual("0", One(kv, "tmp_exec"));
    }
}
