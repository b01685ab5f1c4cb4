namespace Bpm.IntegrationTests.Hardening;

/// <summary>
/// runc mounts by path name, after bpm's checks. A process of a job that can rename inside its
/// data dir swaps a sibling process's volume for a symlink to another job's data, right after
/// bpm checked it: bpm must hand runc the directory it checked, and take its staging mounts
/// away with the container.
/// </summary>
public sealed class VolumeSwapTests
{
    // Process A: waits (inotify on its log dir) for B's stdout log to be opened, which bpm does
    // after preparing B's volumes and before runc mounts them, then exchanges B's volume (NAME in
    // A's data dir) with a symlink to the victim (renameat2 RENAME_EXCHANGE).
    private const string Swapper = """
        import ctypes, os, struct, sys, time
        libc = ctypes.CDLL(None, use_errno=True)
        logdir, data, victim, name = sys.argv[1:5]
        os.symlink(victim, data + "/evil")
        fd = libc.inotify_init()
        libc.inotify_add_watch(fd, logdir.encode(), 0x20 | 0x100)
        open(logdir + "/ready", "w").close()
        hit = False
        while not hit:
            buf = os.read(fd, 4096)
            i = 0
            while i < len(buf):
                wd, mask, cookie, n = struct.unpack_from("iIII", buf, i)
                hit |= buf[i + 16:i + 16 + n].rstrip(b"\0") == b"b.stdout.log"
                i += 16 + n
        r = libc.renameat2(-100, (data + "/" + name).encode(), -100, (data + "/evil").encode(), 2)
        open(logdir + "/swapped", "w").write(str(r if r == 0 else ctypes.get_errno()))
        while True:
            time.sleep(1000)
        """;

    private static string StagingDir(BoshRoot root, string job, string proc) =>
        root.P("data", "bpm", "mounts", BoshRoot.ContainerId(job, proc));

    [Fact]
    public void ASwappedVolumeStillMountsTheCheckedDirectory()
    {
        using var root = new BoshRoot();
        var victim = root.P("data", "victim");
        Directory.CreateDirectory(victim);
        var secret = Path.Combine(victim, "secret");
        File.WriteAllText(secret, "victim's data\n");
        BoshRoot.Run("chown", "-R", $"{BoshRoot.VcapUid}:{BoshRoot.VcapGid}", victim);
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(victim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var victimBefore = (BoshRoot.Stat(victim), BoshRoot.Stat(secret));

        var sockets = root.P("data", "j", "sockets");
        root.WriteJob("j", $$"""
            processes:
            - name: a
              executable: /usr/bin/python3
              args: [/var/vcap/jobs/j/bin/swap.py, /var/vcap/sys/log/j, /var/vcap/data/j, {{victim}}, sockets]
              ephemeral_disk: true
            - name: b
              executable: /bin/sh
              args: [-c, "ls -A {{sockets}}; echo listed"]
              additional_volumes:
              - {path: {{sockets}}, writable: true}
            """);
        File.WriteAllText(root.P("jobs", "j", "bin", "swap.py"), Swapper);

        root.StartRunning("j", "a");
        BoshRoot.WaitFor(() => File.Exists(Path.Combine(root.LogDir("j"), "ready")), "the swapper to watch the log dir");
        Assert.NotEmpty(BoshRoot.MountsUnder(StagingDir(root, "j", "a")));

        var run = root.Bpm("run", "j", "-p", "b");
        Assert.True(run.ExitCode == 0, run.ToString());
        // The swap happened, after bpm's checks...
        BoshRoot.WaitFor(() => File.Exists(Path.Combine(root.LogDir("j"), "swapped")), "the swap");
        Assert.Equal("0", File.ReadAllText(Path.Combine(root.LogDir("j"), "swapped")));
        Assert.NotNull(new FileInfo(sockets).LinkTarget);
        // ...yet B saw its own empty directory, not the victim's.
        Assert.Equal("listed\n", run.Stdout);
        Assert.DoesNotContain("secret", run.Stdout);
        Assert.Equal(victimBefore, (BoshRoot.Stat(victim), BoshRoot.Stat(secret)));
        Assert.Equal("victim's data\n", File.ReadAllText(secret));
        Assert.Equal([secret], Directory.GetFileSystemEntries(victim));

        // The run's staging mounts went with its container; A's go with the stop.
        Assert.Empty(BoshRoot.MountsUnder(StagingDir(root, "j", "b")));
        Assert.False(Directory.Exists(StagingDir(root, "j", "b")));
        Assert.Equal(0, root.Bpm("stop", "j", "-p", "a").ExitCode);
        Assert.Empty(BoshRoot.MountsUnder(StagingDir(root, "j", "a")));
        Assert.False(Directory.Exists(StagingDir(root, "j", "a")));
    }

    [Fact]
    public void ASwappedFileVolumeStillMountsTheCheckedFile()
    {
        using var root = new BoshRoot();
        using var victim = new Victim();
        // The file B mounts lies in A's data dir, which A may rename in.
        var settings = root.P("data", "j", "settings.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(settings)!);
        File.WriteAllText(settings, "checked settings\n");
        root.WriteJob("j", $$"""
            processes:
            - name: a
              executable: /usr/bin/python3
              args: [/var/vcap/jobs/j/bin/swap.py, /var/vcap/sys/log/j, /var/vcap/data/j, {{victim.File}}, settings.conf]
              ephemeral_disk: true
            - name: b
              executable: /bin/sh
              args: [-c, "cat {{settings}}; echo written >> {{settings}} && echo appended"]
              additional_volumes:
              - {path: {{settings}}, writable: true}
            """);
        File.WriteAllText(root.P("jobs", "j", "bin", "swap.py"), Swapper);

        root.StartRunning("j", "a");
        BoshRoot.WaitFor(() => File.Exists(Path.Combine(root.LogDir("j"), "ready")), "the swapper to watch the log dir");

        var run = root.Bpm("run", "j", "-p", "b");
        Assert.True(run.ExitCode == 0, run.ToString());
        BoshRoot.WaitFor(() => File.Exists(Path.Combine(root.LogDir("j"), "swapped")), "the swap");
        Assert.Equal("0", File.ReadAllText(Path.Combine(root.LogDir("j"), "swapped")));
        // The name is a symlink to the victim now...
        Assert.Equal(victim.File, new FileInfo(settings).LinkTarget);
        // ...yet B read and wrote the file bpm checked, which A's swap moved to "evil".
        Assert.Equal("checked settings\nappended\n", run.Stdout);
        Assert.Equal("checked settings\nwritten\n", File.ReadAllText(root.P("data", "j", "evil")));
        victim.AssertUntouched();

        Assert.Empty(BoshRoot.MountsUnder(StagingDir(root, "j", "b")));
        Assert.Equal(0, root.Bpm("stop", "j", "-p", "a").ExitCode);
        Assert.Empty(BoshRoot.MountsUnder(StagingDir(root, "j", "a")));
    }

    [Fact]
    public void AJobOwnedSymlinkAlongTheVolumePathIsRefused()
    {
        using var root = new BoshRoot();
        using var victim = new Victim();
        var data = root.P("data", "mid");
        Directory.CreateDirectory(data);
        BoshRoot.Run("chown", $"{BoshRoot.VcapUid}:{BoshRoot.VcapGid}", data);
        File.CreateSymbolicLink(Path.Combine(data, "sub"), victim.Dir);
        BoshRoot.Run("chown", "-h", $"{BoshRoot.VcapUid}:{BoshRoot.VcapGid}", Path.Combine(data, "sub"));
        var vol = Path.Combine(data, "sub", "vol");
        root.WriteShellJob("mid", "echo should-not-run", $"additional_volumes: [{{path: {vol}, writable: true}}]");

        Hx.AssertCleanError(root.Bpm("start", "mid"), "symlink");
        Hx.AssertCleanError(root.Bpm("run", "mid"), "symlink");
        victim.AssertUntouched();
        Assert.Empty(root.RuncList());
        Assert.Empty(BoshRoot.MountsUnder(StagingDir(root, "mid", "mid")));
    }

    [Fact]
    public void AStartAfterAKilledBpmClearsItsStaleStagingMounts()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("stale", "ephemeral_disk: true");
        // What a bpm killed after staging leaves: a pinned directory in the container's staging dir.
        var staging = StagingDir(root, "stale", "stale");
        var pinned = Path.Combine(staging, "7");
        Directory.CreateDirectory(pinned);
        var source = root.P("data", "stale-source");
        Directory.CreateDirectory(source);
        var bind = BoshRoot.Run("mount", "--bind", source, pinned);
        Assert.True(bind.ExitCode == 0, bind.ToString());

        root.StartRunning("stale");
        Assert.DoesNotContain(pinned, BoshRoot.MountsUnder(staging));
        Assert.False(Directory.Exists(pinned));
        Assert.NotEmpty(BoshRoot.MountsUnder(staging));
        Assert.Equal(0, root.Bpm("stop", "stale").ExitCode);
        Assert.Empty(BoshRoot.MountsUnder(staging));
    }
}
