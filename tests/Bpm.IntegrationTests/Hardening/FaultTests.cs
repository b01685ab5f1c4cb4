using System.Text.Json;

namespace Bpm.IntegrationTests.Hardening;

/// <summary>
/// bpm SIGKILLed part-way through start, stop and run; runc's state lost or corrupt; the pidfile
/// lying; runc missing or failing; the log disk full. Afterwards start, stop and list must bring
/// the job back to a consistent state, and no process of an old container may be left running.
/// (A job ignoring TERM and QUIT is covered by StopEscalationTests.)
/// </summary>
public sealed class FaultTests
{
    private const string Job = "fault";

    /// <summary>A job whose container init (tini) carries MARKER on its command line.</summary>
    private static string WriteMarkedJob(BoshRoot root, string extraYaml = "")
    {
        var marker = Hx.Token("marker");
        root.WriteJob(Job, $"""
            processes:
            - name: {Job}
              executable: /bin/sh
              args: ["-c", "echo ready; exec sleep 1000", "{marker}"]
            {extraYaml}
            """);
        return marker;
    }

    private static int RuncPid(BoshRoot root, string id)
    {
        var r = BoshRoot.Run(BoshRoot.RuncPath, "--root", root.RuncRoot, "state", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.GetProperty("pid").GetInt32();
    }

    /// <summary>
    /// list works; start brings the job up with one container whose pid the pidfile, `bpm pid`
    /// and runc agree on; stop leaves no container, pidfile, bundle, lock holder or process.
    /// </summary>
    private static void AssertRecovers(BoshRoot root, string marker, bool restart = true)
    {
        var id = BoshRoot.ContainerId(Job);
        var list = root.Bpm("list");
        Assert.True(list.ExitCode == 0, "list after the fault: " + list);
        Assert.True(BoshRoot.ParseList(list.Stdout).Count(r => r.Name == Job) == 1, list.ToString());
        Assert.True(root.RuncList().Length <= 1, "containers: " + string.Join(", ", root.RuncList()));

        if (restart)
        {
            var start = root.Bpm("start", Job);
            Assert.True(start.ExitCode == 0, "start after the fault: " + start);
            BoshRoot.WaitFor(() => root.RuncStatus(id) == "running" && File.Exists(root.PidFile(Job)), $"{id} running with a pidfile");
            Assert.Equal([id], root.RuncList());
            var pid = RuncPid(root, id);
            Assert.Equal(pid, root.ReadPidFile(Job));
            Assert.Equal(pid + "\n", root.Bpm("pid", Job).Stdout);
            Assert.Equal(new ListRow(Job, pid.ToString(), "running"), root.ListRowFor(Job));
            // Only the new container's init carries the marker: nothing of an old one runs on.
            // runc may return while its init is still `runc init`, about to exec tini.
            BoshRoot.WaitFor(() => Hx.PidsWithMarker(marker).SequenceEqual([pid]), $"only {pid} to carry the marker");
        }

        var stop = root.Bpm("stop", Job);
        Assert.True(stop.ExitCode == 0, "stop after the fault: " + stop);
        Assert.Empty(root.RuncList());
        Assert.False(File.Exists(root.PidFile(Job)), "pidfile left behind");
        Assert.False(Directory.Exists(root.BundleDir(Job)), "bundle left behind");
        BoshRoot.WaitFor(() => Hx.PidsWithMarker(marker).Count == 0, TimeSpan.FromSeconds(10), "no process of the job left");
        Assert.Equal(0, Hx.LockHolders(root));
        Assert.Equal(new ListRow(Job, "-", "stopped"), root.ListRowFor(Job));
    }

    private static void KillAll(string marker) => Hx.KillPids(Hx.PidsWithMarker(marker));

    // ------------------------------------------------------------ bpm killed

    public static TheoryData<string> StartStages => ["start: before runc run", "start: after runc run", "stop: before runc kill", "stop: before runc delete", "stop: after runc delete"];

    [Theory]
    [MemberData(nameof(StartStages))]
    public void BpmKilledAtAStepRecovers(string stage)
    {
        using var root = new BoshRoot();
        var marker = WriteMarkedJob(root);
        try
        {
            var command = stage.Split(':')[0];
            if (command == "stop")
            {
                root.StartRunning(Job);
            }
            var (runcCmd, before) = stage switch
            {
                "start: before runc run" => ("run", true),
                "start: after runc run" => ("run", false),
                "stop: before runc kill" => ("kill", true),
                "stop: before runc delete" => ("delete", true),
                "stop: after runc delete" => ("delete", false),
                _ => throw new ArgumentException(stage),
            };
            var gate = new RuncGate(root, [runcCmd], before);
            using (var bpm = new BackgroundBpm(root, command, Job))
            {
                BoshRoot.WaitFor(() => File.Exists(gate.Reached(runcCmd)) || bpm.HasExited, $"bpm to reach runc {runcCmd}");
                Assert.True(File.Exists(gate.Reached(runcCmd)), $"bpm {command} exited before runc {runcCmd}: {bpm.Stderr.Text}");
                bpm.KillBpm();
            }
            // The orphaned runc carries on, as it would after a real crash; recovery starts once it is done.
            gate.Open();
            BoshRoot.WaitFor(() => File.Exists(gate.Done(runcCmd)), $"the orphaned runc {runcCmd} to finish");
            AssertRecovers(root, marker);
        }
        finally
        {
            KillAll(marker);
        }
    }

    /// <summary>
    /// A runc wrapper that orders the race deterministically: the first `runc run` (that of the
    /// start about to be killed) waits; the next one (the retried start's, which has found no
    /// container) releases it and waits until it has claimed the container id, then runs.
    /// </summary>
    private static void WriteRacingRunc(BoshRoot root)
    {
        var wrapper = root.P("packages", "bpm", "bin", "runc");
        File.Delete(wrapper);
        var runc = BoshRoot.RuncPath;
        Hx.WriteExecutable(wrapper, $$"""
            #!/bin/sh
            cmd=""; skip=0
            for a in "$@"; do
              if [ $skip = 1 ]; then skip=0; continue; fi
              case "$a" in --root) skip=1 ;; -*) ;; *) cmd="$a"; break ;; esac
            done
            if [ "$cmd" = run ]; then
              if mkdir "{{root.P("race.first")}}" 2>/dev/null; then
                touch "{{root.P("race.reached")}}"
                i=0; while [ ! -e "{{root.P("race.open")}}" ] && [ $i -lt 300 ]; do sleep 0.01; i=$((i+1)); done
                {{runc}} "$@"; rc=$?; touch "{{root.P("race.done")}}"; exit $rc
              fi
              touch "{{root.P("race.open")}}"
              i=0; while [ ! -d "{{root.RuncRoot}}/bpm-fault" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i+1)); done
            fi
            exec {{runc}} "$@"
            """);
    }

    [Fact]
    public void StartRacingTheOrphanedRuncOfAKilledStartRecovers()
    {
        using var root = new BoshRoot();
        var marker = WriteMarkedJob(root);
        WriteRacingRunc(root);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                using (var bpm = new BackgroundBpm(root, "start", Job))
                {
                    BoshRoot.WaitFor(() => File.Exists(root.P("race.reached")) || bpm.HasExited, "bpm to reach runc run");
                    bpm.KillBpm();
                }
                // monit retries the start while the killed start's runc is still at work.
                var start = root.Bpm("start", Job);
                BoshRoot.WaitFor(() => File.Exists(root.P("race.done")), "the orphaned runc run to finish");
                Assert.True(start.ExitCode == 0, $"iteration {i}: start racing the orphaned runc: {start}");
                AssertRecovers(root, marker);
                foreach (var f in Directory.GetFileSystemEntries(root.Root, "race.*"))
                {
                    if (Directory.Exists(f))
                    {
                        Directory.Delete(f);
                    }
                    else
                    {
                        File.Delete(f);
                    }
                }
            }
        }
        finally
        {
            KillAll(marker);
        }
    }

    [Fact]
    public void BpmKilledAtRandomMomentsRecovers()
    {
        using var root = new BoshRoot();
        var marker = WriteMarkedJob(root);
        var random = new Random(4242);
        try
        {
            for (var i = 0; i < 8; i++)
            {
                // Alternately kill a start and a stop, a random 0-60 ms in.
                var stopping = i % 2 == 1;
                if (stopping)
                {
                    root.StartRunning(Job);
                }
                using (var bpm = new BackgroundBpm(root, stopping ? "stop" : "start", Job))
                {
                    Thread.Sleep(random.Next(0, 60));
                    bpm.KillBpm();
                }
                AssertRecovers(root, marker, restart: true);
            }
        }
        finally
        {
            KillAll(marker);
        }
    }

    [Fact]
    public void BpmKilledWhileStopWaitsRecovers()
    {
        using var root = new BoshRoot();
        var marker = Hx.Token("marker");
        // Ignores the first TERM, exits on the second: the killed stop is left waiting, the next one is quick.
        root.WriteJob(Job, $$"""
            processes:
            - name: {{Job}}
              executable: /bin/sh
              args:
              - -c
              - |
                n=0
                trap 'n=$((n+1)); echo "term $n"; [ $n -ge 2 ] && exit 0' TERM
                echo ready
                while :; do sleep 0.05; done
              - {{marker}}
            """);
        try
        {
            var pid = root.StartRunning(Job);
            BoshRoot.WaitFor(() => File.ReadAllText(root.StdoutLog(Job)).Contains("ready"), "job ready");
            using (var stop = new BackgroundBpm(root, "stop", Job))
            {
                BoshRoot.WaitFor(() => File.ReadAllText(root.StdoutLog(Job)).Contains("term 1"), "the first TERM");
                Assert.False(stop.HasExited, "stop did not wait: " + stop.Stderr.Text);
                stop.KillBpm();
            }
            // Still running, and still the same container.
            Assert.Equal(new ListRow(Job, pid.ToString(), "running"), root.ListRowFor(Job));
            var start = root.Bpm("start", Job);
            Assert.True(start.ExitCode == 0, start.ToString());
            Assert.Equal(pid, root.ReadPidFile(Job));
            AssertRecovers(root, marker, restart: false);
        }
        finally
        {
            KillAll(marker);
        }
    }

    private static void KillARun(BoshRoot root)
    {
        using var run = new BackgroundBpm(root, "run", Job);
        BoshRoot.WaitFor(() => run.Stdout.Text.Contains("ready") || run.HasExited, "the run to start");
        Assert.Contains("ready", run.Stdout.Text);
        run.KillBpm();
    }

    [Fact]
    public void BpmRunKilledLeavesNothingThatStopCannotClear()
    {
        using var root = new BoshRoot();
        var marker = WriteMarkedJob(root);
        try
        {
            KillARun(root);
            AssertRecovers(root, marker, restart: false);
        }
        finally
        {
            KillAll(marker);
        }
    }

    [Fact]
    public void StartAfterAKilledRunLeavesAPidfile()
    {
        using var root = new BoshRoot();
        var marker = WriteMarkedJob(root);
        try
        {
            KillARun(root);
            AssertRecovers(root, marker);
        }
        finally
        {
            KillAll(marker);
        }
    }

    [Fact]
    public void BpmKilledDuringThePreStartHookRecovers()
    {
        using var root = new BoshRoot();
        var hook = root.P("jobs", Job, "bin", "pre-start");
        var marker = WriteMarkedJob(root, $"  hooks: {{pre_start: {hook}}}");
        var reached = root.P("sys", "run", "hook-reached");
        var go = root.P("sys", "run", "hook-go");
        // The first hook waits (bounded, should the test fail); the next one finds it has run.
        Hx.WriteExecutable(hook, $"""
            #!/bin/sh
            [ -e {reached} ] && exit 0
            echo $$ > {reached}.tmp && mv {reached}.tmp {reached}
            i=0
            while [ ! -e {go} ] && [ $i -lt 2000 ]; do sleep 0.01; i=$((i+1)); done
            """);
        int firstHook = 0;
        try
        {
            using (var bpm = new BackgroundBpm(root, "start", Job))
            {
                BoshRoot.WaitFor(() => File.Exists(reached), "the hook to run");
                firstHook = int.Parse(File.ReadAllText(reached).Trim());
                bpm.KillBpm();
            }
            // The hook is still running when bpm is asked to start the job again: that start
            // ends it before running the hook anew.
            Assert.True(Hx.Alive(firstHook), "the first hook outlives its bpm");
            var start = root.Bpm("start", Job);
            Assert.True(start.ExitCode == 0, start.ToString());
            BoshRoot.WaitFor(() => !Hx.Alive(firstHook), TimeSpan.FromSeconds(5), "the leftover hook to be killed");
            Assert.Contains("bpm.start.killing-leftover-pre-start-hook", File.ReadAllText(root.BpmLog(Job)));
            BoshRoot.WaitFor(() => root.RuncStatus("bpm-fault") == "running" && File.Exists(root.PidFile(Job))
                                   && Hx.PidsWithMarker(marker).Count == 1, "the job itself running");
            AssertRecovers(root, marker, restart: false);
        }
        finally
        {
            File.WriteAllText(go, "");
            if (firstHook > 0 && Hx.Alive(firstHook)) Hx.KillPids([firstHook]);
            KillAll(marker);
        }
    }

    // ------------------------------------------------------------ runc's state

    [Theory]
    [InlineData("truncated", "start")]
    [InlineData("truncated", "stop")]
    [InlineData("garbage", "start")]
    [InlineData("missing state.json", "start")]
    [InlineData("missing state.json", "stop")]
    public void LostRuncStateLeavesNoOldProcessRunning(string damage, string command)
    {
        using var root = new BoshRoot();
        var marker = WriteMarkedJob(root);
        try
        {
            var oldPid = root.StartRunning(Job);
            var state = Path.Combine(root.RuncRoot, "bpm-fault", "state.json");
            switch (damage)
            {
                case "truncated": File.WriteAllText(state, File.ReadAllText(state)[..40]); break;
                case "garbage": File.WriteAllBytes(state, [0xff, 0x00, 0x7b, 0x7b]); break;
                case "missing state.json": File.Delete(state); break;
            }
            var r = root.Bpm(command, Job);
            Assert.True(r.ExitCode == 0, r.ToString());
            BoshRoot.WaitFor(() => !Hx.Alive(oldPid), TimeSpan.FromSeconds(10), "the old container's init to be killed");
            if (command == "start")
            {
                BoshRoot.WaitFor(() => root.RuncStatus("bpm-fault") == "running", "the new container");
                Assert.NotEqual(oldPid, root.ReadPidFile(Job));
            }
            AssertRecovers(root, marker);
        }
        finally
        {
            KillAll(marker);
        }
    }

    [Fact]
    public void LostRuncStateDirLeavesNoOldProcessRunning()
    {
        using var root = new BoshRoot();
        var marker = WriteMarkedJob(root);
        try
        {
            var oldPid = root.StartRunning(Job);
            Directory.Delete(Path.Combine(root.RuncRoot, "bpm-fault"), recursive: true);
            var start = root.Bpm("start", Job);
            Assert.True(start.ExitCode == 0, start.ToString());
            BoshRoot.WaitFor(() => !Hx.Alive(oldPid), TimeSpan.FromSeconds(10), "the old container's init to be killed");
            AssertRecovers(root, marker);
        }
        finally
        {
            KillAll(marker);
        }
    }

    [Fact]
    public void StopAfterLostRuncStateDirKillsTheOldProcesses()
    {
        using var root = new BoshRoot();
        var marker = WriteMarkedJob(root);
        try
        {
            var oldPid = root.StartRunning(Job);
            Directory.Delete(Path.Combine(root.RuncRoot, "bpm-fault"), recursive: true);
            var stop = root.Bpm("stop", Job);
            Assert.True(stop.ExitCode == 0, stop.ToString());
            BoshRoot.WaitFor(() => !Hx.Alive(oldPid), TimeSpan.FromSeconds(10), "the old container's init to be killed");
        }
        finally
        {
            KillAll(marker);
        }
    }

    // ------------------------------------------------------------ the pidfile

    [Fact]
    public void ALyingPidfileIsNeitherBelievedNorActedOn()
    {
        using var root = new BoshRoot();
        var marker = WriteMarkedJob(root);
        using var unrelated = new System.Diagnostics.Process
        {
            StartInfo = new System.Diagnostics.ProcessStartInfo("/bin/sleep", "600") { UseShellExecute = false },
        };
        unrelated.Start();
        try
        {
            // Running job, pidfile pointing at an unrelated process.
            var pid = root.StartRunning(Job);
            File.WriteAllText(root.PidFile(Job), unrelated.Id.ToString());
            Assert.Equal(new ListRow(Job, pid.ToString(), "running"), root.ListRowFor(Job));
            Assert.Equal(pid + "\n", root.Bpm("pid", Job).Stdout);
            var stop = root.Bpm("stop", Job);
            Assert.True(stop.ExitCode == 0, stop.ToString());
            Assert.Empty(root.RuncList());
            Assert.True(Hx.Alive(unrelated.Id), "stop killed the process the pidfile named");
            Assert.False(File.Exists(root.PidFile(Job)));

            // Stopped job, pidfile pointing at the unrelated process, then at a dead pid.
            foreach (var lie in new[] { unrelated.Id, 4_000_000 })
            {
                Directory.CreateDirectory(Path.GetDirectoryName(root.PidFile(Job))!);
                File.WriteAllText(root.PidFile(Job), lie.ToString());
                Assert.Equal(new ListRow(Job, "-", "stopped"), root.ListRowFor(Job));
                Hx.AssertCleanError(root.Bpm("pid", Job), "process is not running or could not be found");
                var stop2 = root.Bpm("stop", Job);
                Assert.True(stop2.ExitCode == 0, stop2.ToString());
                Assert.True(Hx.Alive(unrelated.Id), "stop killed the process the pidfile named");
            }

            // A start over a stale pidfile replaces it.
            File.WriteAllText(root.PidFile(Job), unrelated.Id.ToString());
            AssertRecovers(root, marker);

            // A running job whose pidfile is gone is still known and stoppable.
            var pid2 = root.StartRunning(Job);
            File.Delete(root.PidFile(Job));
            Assert.Equal(new ListRow(Job, pid2.ToString(), "running"), root.ListRowFor(Job));
            Assert.Equal(pid2 + "\n", root.Bpm("pid", Job).Stdout);
            AssertRecovers(root, marker, restart: false);
            Assert.True(Hx.Alive(unrelated.Id));
        }
        finally
        {
            KillAll(marker);
            unrelated.Kill();
            unrelated.WaitForExit();
        }
    }

    // ------------------------------------------------------------ runc itself

    private static void BreakRunc(BoshRoot root, string how)
    {
        var runc = root.P("packages", "bpm", "bin", "runc");
        File.Delete(runc);
        switch (how)
        {
            case "missing": break;
            case "failing": Hx.WriteExecutable(runc, "#!/bin/sh\necho 'runc: simulated failure' >&2\nexit 1\n"); break;
            case "working": File.CreateSymbolicLink(runc, BoshRoot.RuncPath); break;
            default: throw new ArgumentException(how);
        }
    }

    // Without runc in packages/bpm/bin, bpm looks on PATH: give it one without runc.
    private static CommandResult BpmNoRuncOnPath(BoshRoot root, params string[] args) =>
        Hx.BpmEnv(root, new Dictionary<string, string> { ["PATH"] = "/nonexistent" }, args);

    [Theory]
    [InlineData("missing")]
    [InlineData("failing")]
    public void BrokenRuncIsAClearError(string how)
    {
        using var root = new BoshRoot();
        var marker = WriteMarkedJob(root);
        try
        {
            BreakRunc(root, how);
            var start = BpmNoRuncOnPath(root, "start", Job);
            Hx.AssertCleanError(start);
            if (how == "missing")
            {
                Assert.Contains("runc", start.Stderr);
            }
            var run = BpmNoRuncOnPath(root, "run", Job);
            Assert.NotEqual(0, run.ExitCode);
            Hx.AssertNoStackTrace(run);
            Assert.StartsWith("Error: ", run.Stderr.TrimEnd('\n').Split('\n')[^1]);
            Assert.Empty(root.RuncList());
            Hx.AssertSuccessOrCleanError(BpmNoRuncOnPath(root, "list"));
            Hx.AssertSuccessOrCleanError(BpmNoRuncOnPath(root, "stop", Job));
            Hx.AssertSuccessOrCleanError(BpmNoRuncOnPath(root, "pid", Job));

            // With runc back, nothing stands in the way.
            BreakRunc(root, "working");
            AssertRecovers(root, marker);
        }
        finally
        {
            KillAll(marker);
        }
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("failing")]
    public void StopWithBrokenRuncFailsFastAndLeavesTheJobRunning(string how)
    {
        using var root = new BoshRoot();
        var marker = WriteMarkedJob(root);
        try
        {
            var pid = root.StartRunning(Job);
            BreakRunc(root, how);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var stop = BpmNoRuncOnPath(root, "stop", Job);
            sw.Stop();
            Hx.AssertCleanError(stop);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"stop took {sw.Elapsed.TotalSeconds:0.0} s to fail");
            Assert.True(Hx.Alive(pid), "a failed stop must not leave the job half-stopped");
            BreakRunc(root, "working");
            AssertRecovers(root, marker, restart: false);
        }
        finally
        {
            KillAll(marker);
        }
    }

    // ------------------------------------------------------------ disk full

    [Fact]
    public void AFullLogDiskDoesNotStopTheJob()
    {
        using var root = new BoshRoot();
        var marker = WriteMarkedJob(root);
        var logDir = root.LogDir(Job);
        Directory.CreateDirectory(logDir);
        var mount = BoshRoot.Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", logDir);
        Assert.True(mount.ExitCode == 0, mount.ToString());
        try
        {
            // Fill it up.
            var dd = BoshRoot.Run("dd", "if=/dev/zero", "of=" + Path.Combine(logDir, "filler"), "bs=4k", "count=100");
            Assert.NotEqual(0, dd.ExitCode);

            var start = root.Bpm("start", Job);
            Hx.AssertSuccessOrCleanError(start);
            if (start.ExitCode == 0)
            {
                BoshRoot.WaitFor(() => root.RuncStatus("bpm-fault") == "running", "the job running on a full log disk");
                Assert.Equal([root.ReadPidFile(Job)], Hx.PidsWithMarker(marker));
            }
            var stop = root.Bpm("stop", Job);
            Assert.True(stop.ExitCode == 0, stop.ToString());
            Assert.Empty(root.RuncList());

            // A foreground run still gets its output to the caller.
            root.WriteShellJob("chatty", "seq 1 20000; echo done");
            Directory.CreateDirectory(root.LogDir("chatty"));
            var mount2 = BoshRoot.Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", root.LogDir("chatty"));
            Assert.True(mount2.ExitCode == 0, mount2.ToString());
            BoshRoot.Run("dd", "if=/dev/zero", "of=" + Path.Combine(root.LogDir("chatty"), "filler"), "bs=4k", "count=100");
            var chatty = root.Bpm("run", "chatty");
            Hx.AssertSuccessOrCleanError(chatty);
            if (chatty.ExitCode == 0)
            {
                Assert.EndsWith("20000\ndone\n", chatty.Stdout);
            }
            Assert.Empty(root.RuncList());
        }
        finally
        {
            KillAll(marker);
            foreach (var dir in new[] { root.LogDir("chatty"), logDir })
            {
                if (BoshRoot.MountsUnder(dir).Count > 0)
                {
                    BoshRoot.Run("umount", "-l", dir);
                }
            }
        }
    }
}
