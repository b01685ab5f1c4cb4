using System.Text.RegularExpressions;

namespace Bpm.IntegrationTests.Hardening;

/// <summary>
/// A compromised job attacks from inside its container: it looks for other jobs and the host,
/// tries to write where it must not, to regain privileges, to call the syscalls the seccomp
/// profile denies, and to exhaust the host's pids and memory. Each test checks the attack fails
/// and, where another job runs, that the other job is unharmed.
/// </summary>
public sealed class AttackTests
{

    /// <summary>Prints the capability sets, no_new_privs and seccomp mode as KEY=VALUE lines.</summary>
    private const string StatusProbe = """
        for k in CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs Seccomp; do
          echo "$k=$(awk -v k="$k:" '$1==k{print $2}' /proc/self/status)"
        done
        """;

    private static CommandResult RunProbe(BoshRoot root, string job, string script, string extraYaml = "", params string[] runArgs)
    {
        root.WriteShellJob(job, script, extraYaml);
        var r = root.Bpm(["run", job, .. runArgs]);
        Assert.False(r.TimedOut, r.ToString());
        return r;
    }

    /// <summary>A running job with secrets in every place it can write to; returns its container init's host pid.</summary>
    private static int StartVictim(BoshRoot root, string token)
    {
        Directory.CreateDirectory(root.P("store"));
        root.WriteShellJob("victim", $"""
            for f in /var/vcap/data/victim/secret /var/vcap/store/victim/secret /var/vcap/sys/log/victim/secret \
                     /dev/shm/secret /tmp/secret; do
              echo {token} > $f || exit 1
            done
            echo ready
            exec sleep 1000
            """, "ephemeral_disk: true\npersistent_disk: true");
        var pid = root.StartRunning("victim");
        BoshRoot.WaitFor(() => File.ReadAllText(root.StdoutLog("victim")).Contains("ready"), "victim ready");
        return pid;
    }

    [Fact]
    public void OtherJobsAndTheHostAreInvisibleAndUntouchable()
    {
        using var root = new BoshRoot();
        var token = Hx.Token("secret");
        var victimPid = StartVictim(root, token);
        // The token is split so that the attacker's own bpm.yml does not contain it.
        var (t1, t2) = (token[..8], token[8..]);
        var r = RunProbe(root, "attacker", $$"""
            T1={{t1}}; T2={{t2}}; TOKEN="$T1$T2"
            for f in $(grep -rls -D skip "$TOKEN" /var /tmp /dev /run 2>/dev/null); do echo "found=$f"; done
            echo "jobs=$(ls /var/vcap/jobs | tr '\n' ' ')"
            echo "logs=$(ls /var/vcap/sys/log | tr '\n' ' ')"
            echo "data=$(ls /var/vcap/data | tr '\n' ' ')"
            echo "store=$(ls /var/vcap/store 2>&1 >/dev/null | grep -c 'No such file')"
            echo "procs=$(ls /proc | grep -cE '^[0-9]+$')"
            echo "init=$(tr '\0' ' ' < /proc/1/cmdline)"
            for p in /proc/[0-9]*; do echo "cmd=$(tr '\0' ' ' < $p/cmdline 2>/dev/null)"; done
            if [ -e /proc/$VPID ]; then echo victim_proc=visible; else echo victim_proc=invisible; fi
            if [ -e /proc/$HPID ]; then echo host_proc=visible; else echo host_proc=invisible; fi
            if kill -9 $VPID 2>/dev/null; then echo kill_victim=ok; else echo kill_victim=fail; fi
            if kill -9 $HPID 2>/dev/null; then echo kill_host=ok; else echo kill_host=fail; fi
            if hostname evil 2>/dev/null; then echo hostname=changed; else echo hostname=fail; fi
            """, "", "-e", $"VPID={victimPid}", "-e", $"HPID={Environment.ProcessId}");
        Assert.True(r.ExitCode == 0, r.ToString());
        var kv = Hx.KeyValues(r.Stdout);
        string One(string k) => Hx.One(kv, k, r.ToString());

        Assert.False(kv.ContainsKey("found"), "the attacker found the victim's secret in: " + string.Join(", ", kv.GetValueOrDefault("found") ?? []));
        Assert.Equal("attacker ", One("jobs"));
        Assert.Equal("attacker ", One("logs"));
        Assert.DoesNotContain("victim", One("data"));
        Assert.Equal("1", One("store"));
        Assert.InRange(int.Parse(One("procs")), 1, 9);
        Assert.StartsWith("/var/vcap/packages/bpm/bin/tini ", One("init"));
        Assert.DoesNotContain(kv["cmd"], c => c.Contains("sleep 1000"));
        Assert.Equal("invisible", One("victim_proc"));
        Assert.Equal("invisible", One("host_proc"));
        Assert.Equal("fail", One("kill_victim"));
        Assert.Equal("fail", One("kill_host"));
        Assert.Equal("fail", One("hostname"));

        // The victim is unharmed.
        Assert.Equal("running", root.RuncStatus("bpm-victim"));
        Assert.Equal(victimPid, root.ReadPidFile("victim"));
        Assert.Equal(token + "\n", File.ReadAllText(root.P("data", "victim", "secret")));
        Assert.Equal(token + "\n", File.ReadAllText(root.P("store", "victim", "secret")));
    }

    [Fact]
    public void HostProcessesAreVisibleOnlyWithHostPidNamespace()
    {
        using var root = new BoshRoot();
        const string script = """
            if [ -e /proc/$HPID ]; then echo host_proc=visible; else echo host_proc=invisible; fi
            echo "procs=$(ls /proc | grep -cE '^[0-9]+$')"
            """;
        var isolated = RunProbe(root, "iso", script, "", "-e", $"HPID={Environment.ProcessId}");
        Assert.True(isolated.ExitCode == 0, isolated.ToString());
        var kv = Hx.KeyValues(isolated.Stdout);
        Assert.Equal("invisible", Hx.One(kv, "host_proc", isolated.ToString()));

        var shared = RunProbe(root, "shared", script, "unsafe: {host_pid_namespace: true}", "-e", $"HPID={Environment.ProcessId}");
        Assert.True(shared.ExitCode == 0, shared.ToString());
        var kv2 = Hx.KeyValues(shared.Stdout);
        Assert.Equal("visible", Hx.One(kv2, "host_proc", shared.ToString()));
        Assert.True(int.Parse(Hx.One(kv2, "procs", shared.ToString())) > int.Parse(Hx.One(kv, "procs", isolated.ToString())));
    }

    [Fact]
    public void SystemDirsConfigAndMaskedPathsAreProtected()
    {
        using var root = new BoshRoot();
        const string script = """
            try() { if sh -c "$2" 2>/dev/null; then echo "$1=ok"; else echo "$1=fail"; fi; }
            try usr 'touch /usr/bpm-attack'
            try etc 'touch /etc/bpm-attack'
            try etc_passwd 'echo evil::0:0::/:/bin/sh >> /etc/passwd'
            try bin 'touch /bin/bpm-attack'
            try lib 'touch /lib/bpm-attack'
            try own_config 'echo "# evil" >> /var/vcap/jobs/ro/config/bpm.yml'
            try own_job_dir 'touch /var/vcap/jobs/ro/bpm-attack'
            try packages 'touch /var/vcap/packages/bpm-attack'
            try tini 'echo evil > /var/vcap/packages/bpm/bin/tini'
            try rootfs 'touch /bpm-attack'
            try var_vcap 'mkdir /var/vcap/bpm-attack'
            try sysrq 'echo h > /proc/sysrq-trigger'
            try proc_sys 'echo evil > /proc/sys/kernel/hostname'
            try cgroup 'echo max > /sys/fs/cgroup/pids/pids.max'
            try sys 'echo 1 > /sys/kernel/mm/ksm/run'
            try mknod 'mknod /var/vcap/sys/log/ro/disk b 254 0'
            for p in /proc/kcore /proc/sched_debug /proc/timer_list /proc/latency_stats /proc/timer_stats; do
              echo "masked $p=$(head -c 64 $p 2>/dev/null | wc -c)"
            done
            echo "masked /sys/firmware=$(ls -A /sys/firmware 2>/dev/null | wc -l)"
            for d in mem kmem port vda sda; do if [ -e /dev/$d ]; then echo "device=$d"; fi; done
            """;
        var r = RunProbe(root, "ro", script);
        Assert.True(r.ExitCode == 0, r.ToString());
        var kv = Hx.KeyValues(r.Stdout);
        foreach (var k in new[]
                 {
                     "usr", "etc", "etc_passwd", "bin", "lib", "own_config", "own_job_dir", "packages", "tini", "rootfs", "var_vcap",
                     "sysrq", "proc_sys", "cgroup", "sys", "mknod",
                 })
        {
            Assert.True(Hx.One(kv, k, r.ToString()) == "fail", $"the job could write: {k}\n{r}");
        }
        foreach (var (k, v) in kv.Where(e => e.Key.StartsWith("masked ")))
        {
            Assert.True(v.Single() == "0", $"{k[7..]} gave {v.Single()} bytes/entries\n{r}");
        }
        Assert.Equal(6, kv.Count(e => e.Key.StartsWith("masked ")));
        Assert.False(kv.ContainsKey("device"), "host devices visible: " + string.Join(", ", kv.GetValueOrDefault("device") ?? []));
        Assert.False(File.Exists("/usr/bpm-attack") || File.Exists("/etc/bpm-attack") || File.Exists("/lib/bpm-attack"));
        Assert.Equal(BoshRoot.ShellJobYaml("ro", script), File.ReadAllText(root.ConfigPath("ro")));
    }

    [Fact]
    public void NoCapabilitiesByDefaultAndOnlyTheConfiguredOnes()
    {
        using var root = new BoshRoot();
        // Binding a port below 1024 needs CAP_NET_BIND_SERVICE (EACCES without it; EADDRINUSE would mean allowed).
        const string bind81 = """
            import errno, socket
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", 81))
                print("bind81=ok")
            except OSError as e:
                print("bind81=" + errno.errorcode.get(e.errno, str(e.errno)))
            """;
        foreach (var job in new[] { "nocaps", "onecap" })
        {
            Directory.CreateDirectory(root.P("jobs", job));
            File.WriteAllText(root.P("jobs", job, "bind81.py"), bind81);
        }
        var plain = RunProbe(root, "nocaps", StatusProbe + "\npython3 /var/vcap/jobs/nocaps/bind81.py");
        Assert.True(plain.ExitCode == 0, plain.ToString());
        var kv = Hx.KeyValues(plain.Stdout);
        foreach (var k in new[] { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" })
        {
            Assert.True(Hx.One(kv, k, plain.ToString()) == "0000000000000000", $"{k} is not empty\n{plain}");
        }
        Assert.Equal("1", Hx.One(kv, "NoNewPrivs", plain.ToString()));
        Assert.Equal("2", Hx.One(kv, "Seccomp", plain.ToString()));
        Assert.Equal("EACCES", Hx.One(kv, "bind81", plain.ToString()));

        // With NET_BIND_SERVICE (bit 10) the job holds that and nothing else, and can use it.
        var capped = RunProbe(root, "onecap", StatusProbe + "\n" + """
            python3 /var/vcap/jobs/onecap/bind81.py
            python3 -c 'import os; os.chown("/var/vcap/sys/log/onecap", 0, 0)' 2>/dev/null && echo chown=ok || echo chown=fail
            """, "capabilities: [NET_BIND_SERVICE]");
        Assert.True(capped.ExitCode == 0, capped.ToString());
        var kv2 = Hx.KeyValues(capped.Stdout);
        foreach (var k in new[] { "CapPrm", "CapEff", "CapBnd", "CapAmb" })
        {
            Assert.True(Hx.One(kv2, k, capped.ToString()) == "0000000000000400", $"{k} is not exactly NET_BIND_SERVICE\n{capped}");
        }
        Assert.Contains(Hx.One(kv2, "bind81", capped.ToString()), new[] { "ok", "EADDRINUSE" });
        Assert.Equal("fail", Hx.One(kv2, "chown", capped.ToString()));
        Assert.Equal("1", Hx.One(kv2, "NoNewPrivs", capped.ToString()));
    }

    private const string SyscallProbe = """
        import ctypes, sys
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        def call(name, nr, *args):
            ctypes.set_errno(0)
            r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
            print(f"{name}={r},{ctypes.get_errno()}", flush=True)
        sibling = int(sys.argv[1])
        call("ptrace", 101, 16, sibling, 0, 0)              # PTRACE_ATTACH to a non-child
        call("keyctl", 250, 0, 0, 0, 0, 0)
        call("add_key", 248, 0, 0, 0, 0, 0)
        call("unshare", 272, 0x10000000)                     # CLONE_NEWUSER: allowed to anyone on the host
        call("unshare_mnt", 272, 0x00020000)
        call("bpf", 321, 0, 0, 0)
        call("perf_event_open", 298, 0, 0, -1, -1, 0)
        call("mount", 165, 0, 0, 0, 0, 0)
        call("umount2", 166, 0, 0)
        call("pivot_root", 155, 0, 0)
        call("setns", 308, -1, 0)
        call("kexec_load", 246, 0, 0, 0, 0)
        call("init_module", 175, 0, 0, 0)
        call("reboot", 169, 0, 0, 0, 0)
        call("swapon", 167, 0, 0)
        """;

    [Fact]
    public void SeccompDeniesWhatTheProfileDenies()
    {
        using var root = new BoshRoot();
        Directory.CreateDirectory(root.P("jobs", "sc"));
        File.WriteAllText(root.P("jobs", "sc", "syscalls.py"), SyscallProbe);
        var r = RunProbe(root, "sc", """
            sleep 100 & SIB=$!
            python3 /var/vcap/jobs/sc/syscalls.py $SIB
            kill $SIB
            if unshare -U true 2>/dev/null; then echo unshare_cmd=ok; else echo unshare_cmd=fail; fi
            if unshare -r true 2>/dev/null; then echo unshare_root=ok; else echo unshare_root=fail; fi
            if mount -t tmpfs none /tmp 2>/dev/null; then echo mount_cmd=ok; else echo mount_cmd=fail; fi
            """);
        Assert.True(r.ExitCode == 0, r.ToString());
        var kv = Hx.KeyValues(r.Stdout);
        foreach (var name in new[]
                 {
                     "ptrace", "keyctl", "add_key", "unshare", "unshare_mnt", "bpf", "perf_event_open", "mount", "umount2",
                     "pivot_root", "setns", "kexec_load", "init_module", "reboot", "swapon",
                 })
        {
            // -1 with EPERM (1): the profile's default action.
            Assert.True(Hx.One(kv, name, r.ToString()) == "-1,1", $"{name} was not denied with EPERM\n{r}");
        }
        Assert.Equal("fail", Hx.One(kv, "unshare_cmd", r.ToString()));
        Assert.Equal("fail", Hx.One(kv, "unshare_root", r.ToString()));
        Assert.Equal("fail", Hx.One(kv, "mount_cmd", r.ToString()));
    }

    [Fact]
    public void SetuidAndFileCapabilityBinariesGainNothing()
    {
        using var root = new BoshRoot();
        // A package (written by whoever built the release) ships a setuid-root binary and one with
        // file capabilities: inside the container neither may raise the job's privileges.
        var evil = root.P("packages", "evil");
        Directory.CreateDirectory(evil);
        File.Copy("/usr/bin/id", Path.Combine(evil, "id-suid"));
        BoshRoot.Run("chmod", "4755", Path.Combine(evil, "id-suid"));
        File.Copy("/usr/bin/python3.11", Path.Combine(evil, "python-caps"));
        var setcap = BoshRoot.Run("setcap", "cap_dac_override,cap_sys_admin+ep", Path.Combine(evil, "python-caps"));
        var haveFileCaps = setcap.ExitCode == 0;

        var r = RunProbe(root, "suid", """
            echo "suid_euid=$(/var/vcap/packages/evil/id-suid -u)"
            if [ -x /var/vcap/packages/evil/python-caps ]; then
              echo "filecap_eff=$(/var/vcap/packages/evil/python-caps -c 'print([l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0])')"
            fi
            if su -c true root </dev/null >/dev/null 2>&1; then echo su=ok; else echo su=fail; fi
            if [ -x /usr/bin/sudo ]; then if sudo -n true 2>/dev/null; then echo sudo=ok; else echo sudo=fail; fi; fi
            # Every bind mount of a host directory must be nosuid.
            awk '$5 ~ /^\/(bin|etc|lib|lib64|sbin|usr|tmp|var)(\/|$)/ && $5 != "/etc/sv" && $6 !~ /(^|,)nosuid(,|$)/ {print "suid_mount=" $5}' /proc/self/mountinfo
            echo "mounts=$(awk '$5 ~ /^\/(bin|etc|lib|lib64|sbin|usr|tmp|var)(\/|$)/' /proc/self/mountinfo | wc -l)"
            echo "NoNewPrivs=$(awk '$1=="NoNewPrivs:"{print $2}' /proc/self/status)"
            """);
        Assert.True(r.ExitCode == 0, r.ToString());
        var kv = Hx.KeyValues(r.Stdout);
        Assert.Equal(BoshRoot.VcapUid.ToString(), Hx.One(kv, "suid_euid", r.ToString()));
        if (haveFileCaps)
        {
            Assert.Equal("0000000000000000", Hx.One(kv, "filecap_eff", r.ToString()));
        }
        Assert.Equal("fail", Hx.One(kv, "su", r.ToString()));
        if (kv.ContainsKey("sudo"))
        {
            Assert.Equal("fail", Hx.One(kv, "sudo", r.ToString()));
        }
        Assert.False(kv.ContainsKey("suid_mount"), "mounts without nosuid: " + string.Join(", ", kv.GetValueOrDefault("suid_mount") ?? []));
        Assert.True(int.Parse(Hx.One(kv, "mounts", r.ToString())) >= 8, r.ToString());
        Assert.Equal("1", Hx.One(kv, "NoNewPrivs", r.ToString()));
    }

    [Fact]
    public void ProcessesExecedIntoARunningJobAreConfinedToo()
    {
        // `bpm shell` and anyone with runc access enter a running job with `runc exec`: the
        // entered process gets the job's user, no capabilities, no_new_privs and seccomp.
        using var root = new BoshRoot();
        root.WriteSleepJob("target");
        root.StartRunning("target");
        var r = BoshRoot.Run(BoshRoot.RuncPath, "--root", root.RuncRoot, "exec", "bpm-target", "/bin/sh", "-c",
            "echo uid=$(id -u)\n" + StatusProbe + "\nif unshare -U true 2>/dev/null; then echo unshare=ok; else echo unshare=fail; fi");
        Assert.True(r.ExitCode == 0, r.ToString());
        var kv = Hx.KeyValues(r.Stdout);
        Assert.Equal(BoshRoot.VcapUid.ToString(), Hx.One(kv, "uid", r.ToString()));
        foreach (var k in new[] { "CapPrm", "CapEff", "CapBnd", "CapAmb" })
        {
            Assert.True(Hx.One(kv, k, r.ToString()) == "0000000000000000", $"{k} is not empty\n{r}");
        }
        Assert.Equal("1", Hx.One(kv, "NoNewPrivs", r.ToString()));
        Assert.Equal("2", Hx.One(kv, "Seccomp", r.ToString()));
        Assert.Equal("fail", Hx.One(kv, "unshare", r.ToString()));
    }

    [Fact]
    public void AForkBombHitsThePidsLimitAndOtherJobsRunOn()
    {
        using var root = new BoshRoot();
        // A bystander that forks a process every 50 ms and counts its heartbeats.
        root.WriteShellJob("bystander", """
            i=0
            while :; do i=$((i+1)); echo $i > /var/vcap/sys/log/bystander/beat; sleep 0.05; done
            """);
        var bystanderPid = root.StartRunning("bystander");
        root.WriteJob("bomb", """
            processes:
            - name: bomb
              executable: /usr/bin/python3
              args:
              - -c
              - |
                import os, time
                n = 0
                try:
                    while n < 10000:
                        if os.fork() == 0:
                            time.sleep(1000)
                            os._exit(0)
                        n += 1
                except OSError as e:
                    print("forked", n, "then:", e.strerror, flush=True)
                time.sleep(1000)
              limits: {processes: 20}
            """);
        root.StartRunning("bomb");
        BoshRoot.WaitFor(() => File.ReadAllText(root.StdoutLog("bomb")).Contains("Resource temporarily unavailable"),
            TimeSpan.FromSeconds(20), "the fork bomb to hit the pids limit");
        Assert.Matches(@"forked 1\d then: Resource temporarily unavailable", File.ReadAllText(root.StdoutLog("bomb")));
        var status = root.Bpm("status", "bomb");
        Assert.Matches(@"(?m)^pids: +20 \(limit 20\)$", status.Stdout);

        // The bystander keeps beating, and a new job can still fork freely.
        var beat = int.Parse(File.ReadAllText(root.P("sys", "log", "bystander", "beat")).Trim());
        BoshRoot.WaitFor(() => int.TryParse(File.ReadAllText(root.P("sys", "log", "bystander", "beat")).Trim(), out var b) && b >= beat + 3,
            "the bystander's heartbeat to go on");
        root.WriteShellJob("forker", "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do sleep 0.2 & done; wait; echo forked-25");
        var forker = root.Bpm("run", "forker");
        Assert.True(forker.ExitCode == 0 && forker.Stdout.Contains("forked-25"), forker.ToString());
        Assert.Equal("running", root.RuncStatus("bpm-bystander"));
        Assert.Equal(bystanderPid, root.ReadPidFile("bystander"));

        var stop = root.Bpm("stop", "bomb");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.DoesNotContain("bpm-bomb", root.RuncList());
    }

    [Fact]
    public void AMemoryHogIsKilledAloneAndReported()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("bystander", "limits: {memory: 30M}");
        var bystanderPid = root.StartRunning("bystander");
        root.WriteJob("hog", """
            processes:
            - name: hog
              executable: /usr/bin/python3
              args: ["-c", "print('allocating', flush=True); b = bytearray(200 * 1024 * 1024); print('survived', flush=True)"]
              limits: {memory: 30M}
            """);
        var start = root.Bpm("start", "hog");
        Assert.True(start.ExitCode == 0, start.ToString());
        BoshRoot.WaitFor(() => root.RuncStatus("bpm-hog") == "stopped", "the hog to be killed");

        var status = root.Bpm("status", "hog");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Matches(@"(?m)^state: +failed$", status.Stdout);
        Assert.Matches(@"(?m)^oom kills: +1$", status.Stdout);
        Assert.Matches(@"(?m)^exit reason: +killed by the memory limit$", status.Stdout);
        Assert.Contains("allocating", File.ReadAllText(root.StdoutLog("hog")));
        Assert.DoesNotContain("survived", File.ReadAllText(root.StdoutLog("hog")));
        Assert.Matches(new Regex(@"""message"":""bpm\.[a-z]+\.oom-killed"""), File.ReadAllText(root.BpmLog("hog")));

        // The bystander, with the same limit, is untouched.
        Assert.Equal("running", root.RuncStatus("bpm-bystander"));
        Assert.Equal(bystanderPid, root.ReadPidFile("bystander"));
        var bystanderStatus = root.Bpm("status", "bystander");
        Assert.Matches(@"(?m)^oom kills: +0$", bystanderStatus.Stdout);
        Assert.DoesNotContain("oom-killed", File.ReadAllText(root.BpmLog("bystander")));
    }
}
