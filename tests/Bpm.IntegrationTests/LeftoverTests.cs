using System.Text.Json;
using Bpm.IntegrationTests.Hardening;

namespace Bpm.IntegrationTests;

/// <summary>
/// What a job's lifecycle leaves behind, and what two lifecycles can do to each other: the
/// container's cgroups in every hierarchy, the same job in two BOSH roots on one host, and a job
/// that sabotages its own log files.
/// </summary>
public sealed class LeftoverTests
{
    /// <summary>The host directory of each hierarchy line of /proc/PID/cgroup, with its path there.</summary>
    private static List<(string Hierarchy, string Path)> CgroupsOf(int pid)
    {
        var v2Only = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        var found = new List<(string, string)>();
        foreach (var line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            var f = line.Split(':', 3);
            if (f.Length != 3)
            {
                continue;
            }
            var dir = f[1] == "" ? (v2Only ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified")
                : "/sys/fs/cgroup/" + (f[1].StartsWith("name=", StringComparison.Ordinal) ? f[1][5..] : f[1]);
            if (Directory.Exists(dir))
            {
                found.Add((dir, f[2]));
            }
        }
        return found;
    }

    private static string SpecCgroupsPath(BoshRoot root, string job)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root.BundleDir(job), "config.json")));
        return doc.RootElement.GetProperty("linux").GetProperty("cgroupsPath").GetString()!;
    }

    // ------------------------------------------------------------ 1. a stop leaves no cgroup

    [Fact]
    public void TheContainersCgroupIsBelowBpmsV2CgroupInEveryHierarchyAndGoesWithIt()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("web");
        var expected = CgroupNames.CgroupsPath(root.Root, "bpm-web");
        var parent = CgroupNames.OwnV2Path();
        // The parent exists in every hierarchy already, so all runc makes for the container is its leaf.
        var ownHierarchies = CgroupsOf(Environment.ProcessId).Select(h => h.Hierarchy).ToList();
        Assert.All(ownHierarchies, h => Assert.True(Directory.Exists(h + parent.TrimEnd('/')), h + parent));

        var pid = root.StartRunning("web");
        Assert.Equal(expected, SpecCgroupsPath(root, "web"));
        var dirs = new List<string>();
        foreach (var (hierarchy, path) in CgroupsOf(pid))
        {
            if (path == parent && hierarchy.EndsWith("/unified", StringComparison.Ordinal))
            {
                continue; // runc's v1 manager may leave the hybrid unified hierarchy alone
            }
            Assert.True(path == expected, $"{hierarchy}: the container is in {path}, want {expected}");
            dirs.Add(hierarchy + path);
        }
        Assert.NotEmpty(dirs);
        Assert.All(dirs, d => Assert.True(Directory.Exists(d), d));

        var stop = root.Bpm("stop", "web");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.All(dirs, d => Assert.False(Directory.Exists(d), $"{d} left after stop"));
        Assert.Empty(Hx.CgroupDirs([CgroupNames.Leaf(root.Root, "bpm-web")]));
    }

    // ------------------------------------------------------------ 2. one job name, two roots

    [Fact]
    public void ABundleAnEarlierBpmLeftOnTheDiskIsReplacedAndRemoved()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("old");
        // The layout earlier builds of bpm wrote: the bundle on the disk, only its rootfs a tmpfs.
        var bundle = root.BundleDir("old");
        var rootfs = Path.Combine(bundle, "rootfs");
        Directory.CreateDirectory(rootfs);
        File.WriteAllText(Path.Combine(bundle, "config.json"), "{}");
        var mount = BoshRoot.Run("mount", "-t", "tmpfs", "-o", "size=1m", "bpm-rootfs", rootfs);
        Assert.True(mount.ExitCode == 0, mount.ToString());
        Directory.CreateDirectory(Path.Combine(rootfs, "proc"));

        root.StartRunning("old");
        // The bundle is a tmpfs of its own now; the old rootfs's tmpfs is gone.
        Assert.Equal([bundle], BoshRoot.MountsUnder(bundle));
        Assert.Equal(0, root.Bpm("stop", "old").ExitCode);
        Assert.Empty(BoshRoot.MountsUnder(bundle));
        Assert.False(Directory.Exists(bundle));
    }

    [Fact]
    public void TheSameJobInTwoBoshRootsLivesApart()
    {
        using var a = new BoshRoot();
        using var b = new BoshRoot();
        a.WriteSleepJob("web");
        b.WriteSleepJob("web");
        var pidA = a.StartRunning("web");
        var pidB = b.StartRunning("web");
        Assert.NotEqual(pidA, pidB);
        AssertRunning(a, pidA, "after B's start");
        AssertRunning(b, pidB, "B after its start");
        Assert.NotEqual(SpecCgroupsPath(a, "web"), SpecCgroupsPath(b, "web"));

        var stop = b.Bpm("stop", "web");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Null(b.RuncStatus("bpm-web"));
        AssertRunning(a, pidA, "after B's stop");

        var pidB2 = b.StartRunning("web");
        AssertRunning(a, pidA, "after B's second start");
        AssertRunning(b, pidB2, "B after its second start");
    }

    private static void AssertRunning(BoshRoot root, int pid, string when)
    {
        Assert.True(root.RuncStatus("bpm-web") == "running" && Hx.Alive(pid), $"{root.Root}'s web is not running {when}");
        Assert.Equal(pid + "\n", root.Bpm("pid", "web").Stdout);
    }

    // ------------------------------------------------------------ 3. a job sabotaging its logs

    [Theory]
    [InlineData("bpm.log")]
    [InlineData("planter.stdout.log")]
    [InlineData("planter.stderr.log")]
    public void ADirectoryTheJobPlantsAtItsLogIsMovedAsideAndTheJobStartsAgain(string file)
    {
        using var root = new BoshRoot();
        root.WriteShellJob("planter", $"""
            cd /var/vcap/sys/log/planter
            # Once: the second start must find everything as bpm left it.
            if [ ! -e planted ]; then rm {file} && mkdir {file} && echo keep > {file}/inside && touch planted; fi
            exec sleep 1000
            """);
        root.StartRunning("planter");
        var logDir = root.LogDir("planter");
        var path = Path.Combine(logDir, file);
        BoshRoot.WaitFor(() => File.Exists(Path.Combine(logDir, "planted")), "the job to plant its directory");
        Assert.True(Directory.Exists(path));
        Assert.Equal(BoshRoot.VcapUid, BoshRoot.Stat(path).Uid);

        var stop = root.Bpm("stop", "planter");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        var start = root.Bpm("start", "planter");
        Assert.True(start.ExitCode == 0, start.ToString());
        BoshRoot.WaitFor(() => root.RuncStatus("bpm-planter") == "running", "bpm-planter running");

        var aside = Assert.Single(Directory.GetFileSystemEntries(logDir, file + ".impostor-*"));
        Assert.Matches(@"\.impostor-\d{8}T\d{6}\.\d{7}Z$", aside);
        Assert.Equal("keep\n", File.ReadAllText(Path.Combine(aside, "inside")));
        Assert.Equal(BoshRoot.VcapUid, BoshRoot.Stat(aside).Uid);
        Assert.True(File.Exists(path) && new FileInfo(path).LinkTarget is null, $"{path} is not a new regular file");

        var record = File.ReadAllLines(root.BpmLog("planter"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .SingleOrDefault(e => e.GetProperty("message").GetString()!.EndsWith(".moved-aside", StringComparison.Ordinal));
        Assert.True(record.ValueKind == JsonValueKind.Object, "no moved-aside record in bpm.log:\n" + File.ReadAllText(root.BpmLog("planter")));
        Assert.Matches(@"^bpm\.(start|stop)\.moved-aside$", record.GetProperty("message").GetString());
        Assert.Equal(path, record.GetProperty("data").GetProperty("old").GetString());
        Assert.Equal(aside, record.GetProperty("data").GetProperty("new").GetString());
    }
}
