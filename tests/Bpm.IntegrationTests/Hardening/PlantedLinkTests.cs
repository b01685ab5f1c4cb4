namespace Bpm.IntegrationTests.Hardening;

/// <summary>
/// bpm runs as root and writes files and directories on a job's behalf. Someone with the job's
/// uid (or, for root-only places, anyone at all) plants a symlink or a hard link where bpm is
/// about to write, pointing at a root-owned file or directory outside the BOSH root. bpm must
/// either refuse with a clear one-line error or work without touching the target. A plant at a log
/// file of the job's own is moved aside (renamed, never followed) and the command goes on.
/// SymlinkTests already covers symlinked log files on start; these cover the rest.
/// </summary>
public sealed class PlantedLinkTests
{
    private const string Job = "pl";

    public enum Outcome { Refused, Works, Either, MovedAside }

    // A job that exits at once for `bpm run`, which waits for it.
    private static void WriteJob(BoshRoot root, bool quick = false)
    {
        Directory.CreateDirectory(root.P("store"));
        root.WriteJob(Job, $$"""
            processes:
            - name: pl
              executable: /bin/sleep
              args: ["{{(quick ? "0" : "1000")}}"]
              persistent_disk: true
              additional_volumes:
              - {path: {{root.P("data", "pl", "sub", "vol")}}, writable: true}
            """);
    }

    private static void Symlink(string link, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        if (Directory.Exists(link) && new DirectoryInfo(link).LinkTarget is null)
        {
            Directory.Delete(link, recursive: true);
        }
        File.Delete(link);
        File.CreateSymbolicLink(link, target);
    }

    private static void HardLink(string link, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.Delete(link);
        var r = BoshRoot.Run("ln", "--", target, link);
        Assert.True(r.ExitCode == 0, "ln: " + r);
    }

    private static void RootDir(string dir)
    {
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Plants the link for CASE in ROOT, pointing into VICTIM.</summary>
    private static void Plant(BoshRoot root, Victim victim, string @case)
    {
        var bundle = root.BundleDir(Job);
        var lockFile = root.P("data", "bpm", "locks", "job-pl.2epl.lock");
        switch (@case)
        {
            case "hardlink stdout log": HardLink(root.StdoutLog(Job), victim.File); break;
            case "hardlink stderr log": HardLink(root.StderrLog(Job), victim.File); break;
            case "hardlink bpm.log": HardLink(root.BpmLog(Job), victim.File); break;
            case "symlink pidfile":
                RootDir(root.P("sys", "run", "bpm", Job));
                Symlink(root.PidFile(Job), victim.File);
                break;
            case "hardlink pidfile":
                RootDir(root.P("sys", "run", "bpm", Job));
                HardLink(root.PidFile(Job), victim.File);
                break;
            case "symlink lock file":
                RootDir(root.P("data", "bpm", "locks"));
                Symlink(lockFile, victim.File);
                break;
            case "hardlink lock file":
                RootDir(root.P("data", "bpm", "locks"));
                HardLink(lockFile, victim.File);
                break;
            case "symlink bundle dir":
                RootDir(Path.GetDirectoryName(bundle)!);
                Symlink(bundle, victim.Dir);
                break;
            case "symlink job bundles dir":
                RootDir(root.P("data", "bpm", "bundles"));
                Symlink(root.P("data", "bpm", "bundles", Job), victim.Dir);
                break;
            case "symlink config.json":
                RootDir(bundle);
                Symlink(Path.Combine(bundle, "config.json"), victim.File);
                break;
            case "hardlink config.json":
                RootDir(bundle);
                HardLink(Path.Combine(bundle, "config.json"), victim.File);
                break;
            case "symlink tmp dir": Symlink(root.P("data", Job, "tmp"), victim.Dir); break;
            case "symlink data dir": Symlink(root.P("data", Job), victim.Dir); break;
            case "symlink volume parent": Symlink(root.P("data", Job, "sub"), victim.Dir); break;
            case "symlink volume": Symlink(root.P("data", Job, "sub", "vol"), victim.Dir); break;
            case "symlink store dir": Symlink(root.P("store", Job), victim.Dir); break;
            case "symlink log dir": Symlink(root.LogDir(Job), victim.Dir); break;
            case "symlink run dir": Symlink(root.P("sys", "run", Job), victim.Dir); break;
            case "symlink pid dir": Symlink(root.P("sys", "run", "bpm", Job), victim.Dir); break;
            case "symlink locks dir": Symlink(root.P("data", "bpm", "locks"), victim.Dir); break;
            default: throw new ArgumentException(@case);
        }
    }

    public static TheoryData<string, string, Outcome> Cases => new()
    {
        { "hardlink stdout log", "start", Outcome.MovedAside },
        { "hardlink stderr log", "start", Outcome.MovedAside },
        { "hardlink bpm.log", "start", Outcome.MovedAside },
        { "hardlink stdout log", "run", Outcome.MovedAside },
        { "hardlink bpm.log", "stop", Outcome.Either },
        { "symlink pidfile", "start", Outcome.Works },
        { "hardlink pidfile", "start", Outcome.Works },
        { "symlink lock file", "start", Outcome.Refused },
        { "symlink lock file", "stop", Outcome.Either },
        { "hardlink lock file", "start", Outcome.Works },
        { "symlink bundle dir", "start", Outcome.Refused },
        { "symlink bundle dir", "run", Outcome.Refused },
        { "symlink job bundles dir", "start", Outcome.Refused },
        { "symlink config.json", "start", Outcome.Works },
        { "hardlink config.json", "start", Outcome.Works },
        { "symlink tmp dir", "start", Outcome.Refused },
        { "symlink tmp dir", "run", Outcome.Refused },
        { "symlink data dir", "start", Outcome.Refused },
        { "symlink volume parent", "start", Outcome.Refused },
        { "symlink volume", "start", Outcome.Refused },
        { "symlink store dir", "start", Outcome.Refused },
        { "symlink log dir", "start", Outcome.Refused },
        { "symlink log dir", "stop", Outcome.Either },
        { "symlink run dir", "start", Outcome.Refused },
        { "symlink pid dir", "start", Outcome.Refused },
        { "symlink locks dir", "start", Outcome.Refused },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void PlantedLinkIsRefusedOrHarmless(string @case, string command, Outcome outcome)
    {
        using var root = new BoshRoot();
        using var victim = new Victim();
        WriteJob(root, quick: command == "run");
        Plant(root, victim, @case);

        var r = Hx.BpmWithin(root, TimeSpan.FromSeconds(20), command, Job);
        victim.AssertUntouched();
        if (outcome == Outcome.Either)
        {
            Hx.AssertSuccessOrCleanError(r);
            Assert.Empty(root.RuncList());
            return;
        }
        if (outcome == Outcome.Refused)
        {
            Hx.AssertCleanError(r);
            Assert.True(r.Stderr.Contains(victim.Dir) is false, "the error follows the link: " + r);
            Assert.Empty(root.RuncList());
            return;
        }
        Assert.True(r.ExitCode == 0, r.ToString());
        if (outcome == Outcome.MovedAside)
        {
            var log = @case switch
            {
                "hardlink stdout log" => root.StdoutLog(Job),
                "hardlink stderr log" => root.StderrLog(Job),
                _ => root.BpmLog(Job),
            };
            AssertMovedAside(log, victim);
            Assert.Contains(".moved-aside\"", File.ReadAllText(root.BpmLog(Job)));
        }
        if (command == "start")
        {
            BoshRoot.WaitFor(() => root.RuncStatus("bpm-pl") == "running", "bpm-pl running");
            var pidfile = root.PidFile(Job);
            Assert.Null(new FileInfo(pidfile).LinkTarget);
            Assert.Equal(root.ReadPidFile(Job).ToString() + "\n", root.Bpm("pid", Job).Stdout);
            var stop = root.Bpm("stop", Job);
            Assert.True(stop.ExitCode == 0, stop.ToString());
            Assert.Empty(root.RuncList());
        }
        victim.AssertUntouched();
    }

    /// <summary>The plant at LOG was renamed aside whole, and LOG is a new file of its own.</summary>
    private static void AssertMovedAside(string log, Victim victim)
    {
        var aside = Assert.Single(Directory.GetFileSystemEntries(Path.GetDirectoryName(log)!, Path.GetFileName(log) + ".impostor-*"));
        var kind = BoshRoot.Run("stat", "-c", "%F %h %i", "--", aside).Stdout.Trim();
        var victimKind = BoshRoot.Run("stat", "-c", "%F %h %i", "--", victim.File).Stdout.Trim();
        if (new FileInfo(aside).LinkTarget is { } target)
        {
            Assert.Equal(victim.File, target);
        }
        else
        {
            Assert.Equal(victimKind, kind); // the same inode, still linked twice
        }
        Assert.Matches("^regular (empty )?file 1$", BoshRoot.Run("stat", "-c", "%F %h", "--", log).Stdout.Trim());
    }

    /// <summary>
    /// The root-only places bpm writes to are root's alone, so nobody with the job's uid can plant
    /// anything there; the places the job owns are the job's, mode 0700.
    /// </summary>
    [Fact]
    public void DirectoriesGetTheirOwnersAndModesAndTheJobCannotPlantInRootsOnes()
    {
        using var root = new BoshRoot();
        WriteJob(root);
        root.StartRunning(Job);
        var vcap = BoshRoot.VcapUid;
        var expected = new (string Path, int Uid, string Mode)[]
        {
            (root.P("sys", "run", "bpm", Job), 0, "700"),
            (root.P("data", "bpm", "locks"), 0, "700"),
            (root.P("data", "bpm", "bundles", Job), 0, "700"),
            (root.BundleDir(Job), 0, "700"),
            (Path.Combine(root.BundleDir(Job), "rootfs"), 0, "755"),
            (root.LogDir(Job), vcap, "700"),
            (root.P("sys", "run", Job), vcap, "700"),
            (root.P("data", Job), vcap, "700"),
            (root.P("data", Job, "tmp"), vcap, "700"),
            (root.P("store", Job), vcap, "700"),
            (root.P("data", Job, "sub", "vol"), vcap, "700"),
            (root.StdoutLog(Job), vcap, "600"),
            (root.StderrLog(Job), vcap, "600"),
            (root.BpmLog(Job), vcap, "600"),
        };
        foreach (var (path, uid, mode) in expected)
        {
            var st = BoshRoot.Stat(path);
            Assert.True(st.Uid == uid && st.Mode == mode, $"{path}: uid {st.Uid} mode {st.Mode}, want uid {uid} mode {mode}");
        }
        // Everything above a root-only place is root's and not writable by others.
        foreach (var path in new[] { root.P("sys", "run", "bpm"), root.P("data", "bpm"), root.P("data", "bpm", "bundles"), root.P("sys", "run"), root.RuncRoot })
        {
            var st = BoshRoot.Stat(path);
            Assert.True(st.Uid == 0 && (Convert.ToInt32(st.Mode, 8) & 0b010_010) == 0, $"{path}: uid {st.Uid} mode {st.Mode}");
        }

        // As the job's user, planting fails everywhere root writes.
        using var victim = new Victim();
        foreach (var link in new[]
                 {
                     Path.Combine(root.P("sys", "run", "bpm", Job), "pl.pid.planted"),
                     Path.Combine(root.P("data", "bpm", "locks"), "job-planted.lock"),
                     Path.Combine(root.BundleDir(Job), "config.json.planted"),
                     Path.Combine(root.P("data", "bpm", "bundles"), "planted"),
                     Path.Combine(root.RuncRoot, "planted"),
                 })
        {
            var r = BoshRoot.Run("setpriv", "--reuid=" + vcap, "--regid=" + BoshRoot.VcapGid, "--clear-groups", "ln", "-s", victim.File, link);
            Assert.True(r.ExitCode != 0, $"the job's user planted {link}: {r}");
            Assert.False(Path.Exists(link) || new FileInfo(link).LinkTarget is not null, link);
        }
        victim.AssertUntouched();
    }

    // ------------------------------------------------------------ attacks by the running job itself

    private static void StartPlanter(BoshRoot root, string plantScript)
    {
        root.WriteShellJob("planter", plantScript + """

            echo planted
            exec sleep 1000
            """);
        root.StartRunning("planter");
        BoshRoot.WaitFor(() => File.Exists(root.StdoutLog("planter")) && File.ReadAllText(root.StdoutLog("planter")).Contains("planted"),
            "the job to plant its link");
    }

    [Fact]
    public void AJobLinkingItsStdoutLogToAHostFileCannotMakeBpmWriteThere()
    {
        using var root = new BoshRoot();
        using var victim = new Victim();
        StartPlanter(root, $"""
            cd /var/vcap/sys/log/planter
            rm planter.stderr.log && ln -s {victim.File} planter.stderr.log
            """);
        var stop = root.Bpm("stop", "planter");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        var start = root.Bpm("start", "planter");
        Assert.True(start.ExitCode == 0, start.ToString());
        victim.AssertUntouched();
        var aside = Assert.Single(Directory.GetFileSystemEntries(root.LogDir("planter"), "planter.stderr.log.impostor-*"));
        Assert.Equal(victim.File, new FileInfo(aside).LinkTarget);
        // The job plants its link again; bpm writes only to the file it opened before that.
        BoshRoot.WaitFor(() => new FileInfo(root.StderrLog("planter")).LinkTarget is not null, "the job to plant again");
        var stop2 = root.Bpm("stop", "planter");
        Assert.True(stop2.ExitCode == 0, stop2.ToString());
        victim.AssertUntouched();
        Assert.Empty(root.RuncList());
    }

    [Theory]
    [InlineData("symlink")]
    [InlineData("hardlink")]
    public void AJobLinkingItsBpmLogCannotPreventItsStop(string kind)
    {
        using var root = new BoshRoot();
        using var victim = new Victim();
        StartPlanter(root, kind == "symlink"
            ? $"cd /var/vcap/sys/log/planter && rm bpm.log && ln -s {victim.File} bpm.log"
            : "cd /var/vcap/sys/log/planter && rm bpm.log && ln planter.stdout.log bpm.log");
        var stop = Hx.BpmWithin(root, TimeSpan.FromSeconds(20), "stop", "planter");
        victim.AssertUntouched();
        Hx.AssertSuccessOrCleanError(stop);
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void AJobReplacingItsBpmLogWithAFifoCannotHangBpm()
    {
        using var root = new BoshRoot();
        StartPlanter(root, "cd /var/vcap/sys/log/planter && rm bpm.log && mkfifo bpm.log");
        var stop = Hx.BpmWithin(root, TimeSpan.FromSeconds(10), "stop", "planter");
        Assert.False(stop.TimedOut, "bpm stop hung on a FIFO: " + stop);
        Hx.AssertSuccessOrCleanError(stop);
        Assert.Empty(root.RuncList());
        var status = Hx.BpmWithin(root, TimeSpan.FromSeconds(10), "status", "planter");
        Assert.False(status.TimedOut, "bpm status hung on a FIFO: " + status);
    }

    [Theory]
    [InlineData("stdout", "start")]
    [InlineData("stderr", "start")]
    [InlineData("stdout", "run")]
    public void AFifoAtALogPathIsMovedAsideNotWaitedOn(string which, string command)
    {
        using var root = new BoshRoot();
        WriteJob(root, quick: command == "run");
        Directory.CreateDirectory(root.LogDir(Job));
        var path = which == "stdout" ? root.StdoutLog(Job) : root.StderrLog(Job);
        Assert.Equal(0, BoshRoot.Run("mkfifo", path).ExitCode);
        var r = Hx.BpmWithin(root, TimeSpan.FromSeconds(10), command, Job);
        Assert.False(r.TimedOut, $"bpm {command} hung on a FIFO: {r}");
        Assert.True(r.ExitCode == 0, r.ToString());
        var aside = Assert.Single(Directory.GetFileSystemEntries(root.LogDir(Job), Path.GetFileName(path) + ".impostor-*"));
        Assert.Equal("fifo", BoshRoot.Run("stat", "-c", "%F", "--", aside).Stdout.Trim());
        Assert.Matches("^regular (empty )?file$", BoshRoot.Run("stat", "-c", "%F", "--", path).Stdout.Trim());
        if (command == "start")
        {
            var stop = root.Bpm("stop", Job);
            Assert.True(stop.ExitCode == 0, stop.ToString());
        }
        Assert.Empty(root.RuncList());
    }
}
