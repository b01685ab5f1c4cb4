namespace Bpm.IntegrationTests.BeyondTests;

/// <summary>
/// Stop waits on the container's init, so a job that exits on its shutdown signal is stopped
/// without the escalation. Behaviour only: the benchmark measures the time. The escalation for
/// a job that ignores TERM is covered by StopEscalationTests.
/// </summary>
public sealed class InstantStopTests
{
    private static void AssertStoppedBySignal(BoshRoot root, string job, int pid, string signal = "TERM", string? proc = null)
    {
        var log = Beyond.LogText(root, job);
        var entries = Beyond.LogEntries(root, job);
        var exited = entries.Where(e => e.GetProperty("message").GetString() == "bpm.stop.process-exited").ToList();
        Assert.True(exited.Count == 1, "want one bpm.stop.process-exited in bpm.log:\n" + log);
        Assert.Equal(signal, exited[0].GetProperty("data").GetProperty("signal").GetString());
        Assert.DoesNotContain("sending-sigquit", log);
        Assert.DoesNotContain("forcefully-deleting", log);
        Assert.Contains("bpm.stop.complete", log);

        Assert.DoesNotContain(BoshRoot.ContainerId(job, proc), root.RuncList());
        Assert.False(File.Exists(root.PidFile(job, proc)), "pidfile left behind");
        Assert.False(Directory.Exists(root.BundleDir(job, proc)), "bundle left behind");
        BoshRoot.WaitFor(() => !Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(5), "container init gone");
    }

    private static void Stop(BoshRoot root, params string[] args)
    {
        var stop = root.Bpm(["stop", .. args]);
        Assert.True(stop.ExitCode == 0 && !stop.TimedOut, stop.ToString());
    }

    [Fact]
    public void SleepUnderTiniStopsOnTerm()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("sleeper");
        var pid = root.StartRunning("sleeper");

        Stop(root, "sleeper");
        AssertStoppedBySignal(root, "sleeper", pid);
        Assert.Equal(new ListRow("sleeper", "-", "stopped"), root.ListRowFor("sleeper"));
    }

    [Fact]
    public void ExecSleepFromAShellStopsOnTerm()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("execer", "exec sleep 1000");
        var pid = root.StartRunning("execer");

        Stop(root, "execer");
        AssertStoppedBySignal(root, "execer", pid);
    }

    [Fact]
    public void StopWaitsForTheTermHandlerToFinish()
    {
        using var root = new BoshRoot();
        // The handler takes a moment to clean up: stop must not return before the process is gone.
        root.WriteJob("py", """
            processes:
            - name: py
              executable: /usr/bin/python3
              args:
              - -c
              - |
                import signal, sys, time
                def term(signum, frame):
                    print("got-term", flush=True)
                    time.sleep(0.3)
                    print("cleanup-done", flush=True)
                    sys.exit(0)
                signal.signal(signal.SIGTERM, term)
                print("ready", flush=True)
                while True:
                    time.sleep(1)
            """);
        var pid = root.StartRunning("py");
        BoshRoot.WaitFor(() => Beyond.ReadLog(root.StdoutLog("py")).Contains("ready"), "job ready");

        Stop(root, "py");
        var stdout = Beyond.ReadLog(root.StdoutLog("py"));
        Assert.Contains("got-term", stdout);
        Assert.Contains("cleanup-done", stdout);
        AssertStoppedBySignal(root, "py", pid);
    }

    [Fact]
    public void IntShutdownSignalIsWaitedOnToo()
    {
        using var root = new BoshRoot();
        root.WriteJob("intjob", """
            processes:
            - name: intjob
              executable: /usr/bin/python3
              shutdown_signal: INT
              args:
              - -c
              - |
                import signal, sys, time
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                def stop(signum, frame):
                    print("got-int", flush=True)
                    sys.exit(0)
                signal.signal(signal.SIGINT, stop)
                print("ready", flush=True)
                while True:
                    time.sleep(1)
            """);
        var pid = root.StartRunning("intjob");
        BoshRoot.WaitFor(() => Beyond.ReadLog(root.StdoutLog("intjob")).Contains("ready"), "job ready");

        Stop(root, "intjob");
        Assert.Contains("got-int", Beyond.ReadLog(root.StdoutLog("intjob")));
        AssertStoppedBySignal(root, "intjob", pid, "INT");
    }

    [Fact]
    public void ALingeringChildThatIgnoresTermDoesNotHoldUpTheStop()
    {
        using var root = new BoshRoot();
        // The main process exits on TERM; its background child ignores TERM. When the
        // container's init is gone the kernel kills the rest of its pid namespace.
        root.WriteShellJob("family", """
            (trap '' TERM; exec sleep 1000) &
            trap 'exit 0' TERM
            echo ready
            while :; do sleep 0.05; done
            """);
        var pid = root.StartRunning("family");
        BoshRoot.WaitFor(() => Beyond.ReadLog(root.StdoutLog("family")).Contains("ready"), "job ready");

        Stop(root, "family");
        AssertStoppedBySignal(root, "family", pid);
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void OneProcessOfAJobStopsAndTheOtherKeepsRunning()
    {
        using var root = new BoshRoot();
        root.WriteJob("pair", """
            processes:
            - name: pair
              executable: /bin/sleep
              args: ["1000"]
            - name: helper
              executable: /bin/sleep
              args: ["1000"]
            """);
        var main = root.StartRunning("pair");
        var helper = root.StartRunning("pair", "helper");

        Stop(root, "pair", "-p", "helper");
        Assert.DoesNotContain("sending-sigquit", Beyond.LogText(root, "pair"));
        Assert.Contains("bpm.stop.process-exited", Beyond.LogText(root, "pair"));
        BoshRoot.WaitFor(() => !Directory.Exists($"/proc/{helper}"), TimeSpan.FromSeconds(5), "helper gone");
        Assert.Equal(["bpm-pair"], root.RuncList());
        Assert.Equal(new ListRow("pair", main.ToString(), "running"), root.ListRowFor("pair"));
        Assert.Equal(new ListRow("pair.helper", "-", "stopped"), root.ListRowFor("pair.helper"));
    }

    [Fact]
    public void StoppingAnExitedProcessSendsNoSignal()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("gone", "exit 0");
        Assert.Equal(0, root.Bpm("start", "gone").ExitCode);
        Beyond.WaitForRunc(root, "gone", "stopped");

        Stop(root, "gone");
        var messages = Beyond.LogMessages(root, "gone");
        Assert.Contains("bpm.stop.complete", messages);
        Assert.DoesNotContain("bpm.stop.process-exited", messages);
        Assert.DoesNotContain("bpm.stop.sending-sigquit", messages);
        Assert.Empty(root.RuncList());
        Assert.False(File.Exists(root.PidFile("gone")), "pidfile left behind");
    }

    [Fact]
    public void RestartAfterAnInstantStop()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("again");
        for (var i = 0; i < 3; i++)
        {
            var pid = root.StartRunning("again");
            Stop(root, "again");
            BoshRoot.WaitFor(() => !Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(5), "container init gone");
            Assert.Empty(root.RuncList());
        }
        var messages = Beyond.LogMessages(root, "again");
        Assert.Equal(3, messages.Count(m => m == "bpm.stop.process-exited"));
        Assert.DoesNotContain("bpm.stop.sending-sigquit", messages);
    }
}
