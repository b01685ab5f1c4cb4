using System.Diagnostics;
using System.Text.Json;

namespace Bpm.IntegrationTests;

/// <summary>
/// The Debian package from scripts/package, installed into this machine's system with apt-get:
/// the installed bpm runs a job with the runc and tini the package links in, and removing the
/// package leaves nothing behind.
/// Also the BOSH job skeleton's pre-start (release/), run in a private mount namespace.
/// </summary>
public sealed class PackageTests
{
    private const string PackageDir = "/var/vcap/packages/bpm";
    private const string InstalledBpm = "/usr/bin/bpm";
    private static readonly TimeSpan DpkgTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public void DebInstallsRunsAJobAndRemovesCleanly()
    {
        var deb = EnsurePackage(out var version);
        // This test owns the package name bpm and /var/vcap/packages/bpm on this machine: refuse
        // to touch an installation that is not its own.
        Assert.True(PackageStatus() is null,
            "package bpm is already installed on this machine; remove it (dpkg -r bpm) to run this test");
        Assert.False(Path.Exists(PackageDir), $"{PackageDir} exists already; this test would install over it");
        Assert.False(Path.Exists(InstalledBpm), $"{InstalledBpm} exists already; this test would install over it");
        var varVcapExisted = Directory.Exists("/var/vcap");

        var installed = false;
        Exception? first = null;
        try
        {
            var install = Apt("install", "-y", "--no-install-recommends", deb);
            installed = true;
            Assert.True(install.ExitCode == 0, "apt-get install: " + install);
            Assert.Equal("ii", PackageStatus());
            Assert.Equal(version, BoshRoot.Run("dpkg-query", "-W", "-f=${Version}", "bpm").Stdout);

            // The layout bpm expects: bpm, runc and tini in packages/bpm/bin; bpm on the PATH.
            Assert.Equal($"{PackageDir}/bin/bpm", LinkTarget(InstalledBpm));
            Assert.True(File.Exists($"{PackageDir}/bin/bpm") && LinkTarget($"{PackageDir}/bin/bpm") is null,
                $"{PackageDir}/bin/bpm is not a regular file");
            // bpm start looks for its waiter in the directory of the bpm that runs.
            var waiter = $"{PackageDir}/bin/bpm-waiter";
            Assert.True(File.Exists(waiter) && LinkTarget(waiter) is null, $"{waiter} is not a regular file");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
                File.GetUnixFileMode(waiter));
            Assert.Equal("/usr/sbin/runc", LinkTarget($"{PackageDir}/bin/runc"));
            Assert.Equal("/usr/bin/tini-static", LinkTarget($"{PackageDir}/bin/tini"));
            Assert.True(File.Exists($"{PackageDir}/bin/runc") && File.Exists($"{PackageDir}/bin/tini"),
                "runc or tini link does not resolve: are the runc and tini packages installed?");

            var v = BoshRoot.Run(InstalledBpm, "version");
            Assert.True(v.ExitCode == 0, "bpm version: " + v);
            Assert.Equal(version + "\n", v.Stdout);

            ManPageAndCompletionAreInstalled();
            RunAJobWithTheInstalledBpm();
        }
        catch (Exception e)
        {
            first = e;
            throw;
        }
        finally
        {
            if (installed)
            {
                var remove = Apt("remove", "-y", "bpm");
                // A failed install leaves nothing to remove cleanly: its error is the one to see.
                if (first is null) Assert.True(remove.ExitCode == 0, "apt-get remove bpm: " + remove);
            }
        }

        Assert.Null(PackageStatus());
        Assert.False(Path.Exists(InstalledBpm), $"{InstalledBpm} left after apt-get remove");
        Assert.False(Path.Exists(ManPage), $"{ManPage} left after apt-get remove");
        Assert.False(Path.Exists(Completion), $"{Completion} left after apt-get remove");
        Assert.False(Path.Exists(PackageDir), $"{PackageDir} left after apt-get remove");
        if (!varVcapExisted)
        {
            Assert.False(Path.Exists("/var/vcap"), "/var/vcap left after apt-get remove");
        }
    }

    private const string ManPage = "/usr/share/man/man1/bpm.1.gz";
    private const string Completion = "/usr/share/bash-completion/completions/bpm";

    // bpm(1) names every command, and bash's completion of the installed script offers them.
    private static void ManPageAndCompletionAreInstalled()
    {
        var man = BoshRoot.Run("sh", "-c", $"gzip -dc {ManPage}");
        Assert.True(man.ExitCode == 0, "reading the man page: " + man);
        foreach (var command in new[] { "start", "stop", "run", "list", "pid", "logs", "shell", "trace", "version", "monit", "status", "validate" })
            Assert.Contains($".B {command}", man.Stdout);
        var complete = BoshRoot.Run("bash", "-c", $"source {Completion}; COMP_WORDS=(bpm s); COMP_CWORD=1; _bpm; printf '%s' \"${{COMPREPLY[*]}}\"");
        Assert.True(complete.ExitCode == 0, "the completion: " + complete);
        Assert.Equal("start stop shell status", complete.Stdout);
    }

    // A throwaway root whose packages dir is the installed /var/vcap/packages: the runc that bpm
    // calls and the tini each container starts are the package's links.
    private static void RunAJobWithTheInstalledBpm()
    {
        using var root = new BoshRoot();
        Directory.Delete(root.P("packages"), recursive: true);
        File.CreateSymbolicLink(root.P("packages"), "/var/vcap/packages");
        var job = "pkg-" + Guid.NewGuid().ToString("N")[..6];
        root.WriteSleepJob(job);
        var id = BoshRoot.ContainerId(job);

        var start = Bpm(root, "start", job);
        Assert.True(start.ExitCode == 0, "installed bpm start: " + start);
        BoshRoot.WaitFor(() => root.RuncStatus(id) == "running", TimeSpan.FromSeconds(20), $"container {id} running");
        var pid = Bpm(root, "pid", job);
        Assert.True(pid.ExitCode == 0, "installed bpm pid: " + pid);
        Assert.Equal(root.ReadPidFile(job).ToString() + "\n", pid.Stdout);
        var init = int.Parse(pid.Stdout);
        // The container's init is the package's tini (a link to Debian's static tini).
        Assert.StartsWith("/var/vcap/packages/bpm/bin/tini\0", File.ReadAllText($"/proc/{init}/cmdline"));
        Assert.Equal("/usr/bin/tini-static", LinkTarget($"/proc/{init}/exe"));
        var list = Bpm(root, "list");
        Assert.True(list.ExitCode == 0, "installed bpm list: " + list);
        Assert.Equal(new[] { new ListRow(job, init.ToString(), "running") }, BoshRoot.ParseList(list.Stdout));
        // Started through /usr/bin/bpm, a link: the waiter is still found beside the file it names.
        var waiter = WaiterOf(root, job);
        Assert.Equal($"{PackageDir}/bin/bpm-waiter", LinkTarget($"/proc/{waiter}/exe"));

        var stop = Bpm(root, "stop", job);
        Assert.True(stop.ExitCode == 0, "installed bpm stop: " + stop);
        Assert.False(ProcessTree.Alive(waiter), $"waiter {waiter} left after stop");
        var status = Bpm(root, "status", job, "--json");
        Assert.True(status.ExitCode == 0, "installed bpm status --json: " + status);
        using (var json = JsonDocument.Parse(status.Stdout))
        {
            Assert.True(json.RootElement.GetProperty("stopped_by_bpm").GetBoolean(), "the end was not recorded: " + status.Stdout);
            Assert.NotEqual(JsonValueKind.Null, json.RootElement.GetProperty("exited_at").ValueKind);
        }
        Assert.Empty(root.RuncList());
        Assert.False(File.Exists(root.PidFile(job)), "pidfile left after stop");
        Assert.Empty(BoshRoot.MountsUnder(root.Root));
        Assert.Empty(MonitTests.CgroupDirs(CgroupNames.Leaf(root.Root, id)));
    }

    // The release's packaging script, run as BOSH compiles the package: against the blobs the
    // spec lists (stand-ins here), it lays out bpm, its waiter, runc and tini side by side.
    [Fact]
    public void ReleasePackageShipsTheWaiterBesideBpm()
    {
        var package = Path.Combine(BoshRoot.RepoRoot, "release", "packages", "bpm");
        var blobs = File.ReadAllLines(Path.Combine(package, "spec"))
            .SkipWhile(l => l != "files:").Skip(1).TakeWhile(l => l.StartsWith("  - ", StringComparison.Ordinal))
            .Select(l => l[4..].Trim()).ToList();
        Assert.Contains("bpm/bpm", blobs);
        Assert.Contains("bpm/bpm-waiter", blobs);
        var work = Directory.CreateTempSubdirectory("bpm-release-").FullName;
        try
        {
            var sources = Path.Combine(work, "src");
            foreach (var blob in blobs)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(sources, blob))!);
                File.WriteAllText(Path.Combine(sources, blob), blob);
            }
            var target = Path.Combine(work, "install");
            var r = BoshRoot.Run("/bin/bash", "-c", $"cd '{sources}' && BOSH_INSTALL_TARGET='{target}' /bin/bash '{package}/packaging'");
            Assert.True(r.ExitCode == 0, "packaging: " + r);
            var installed = Directory.GetFiles(Path.Combine(target, "bin")).Select(Path.GetFileName).Order().ToList();
            Assert.Equal(new[] { "bpm", "bpm-waiter", "runc", "tini" }, installed);
            Assert.Equal("bpm/bpm-waiter", File.ReadAllText(Path.Combine(target, "bin", "bpm-waiter")));
            Assert.True(File.GetUnixFileMode(Path.Combine(target, "bin", "bpm-waiter")).HasFlag(UnixFileMode.OtherExecute),
                "bin/bpm-waiter is not executable");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public void ReleasePreStartMountsTheCgroupHierarchies()
    {
        var script = Path.Combine(BoshRoot.RepoRoot, "release", "jobs", "bpm", "templates", "pre-start.erb");
        Assert.True(File.Exists(script), script + " missing");
        if (Directory.Exists("/run/systemd/system") || File.Exists("/sys/fs/cgroup/cgroup.controllers"))
        {
            // Not this machine's case (cgroup v1 without systemd); nothing to prepare there.
            return;
        }
        // In a private mount namespace: no cgroup mounts and a scratch /etc/profile.d, then the
        // pre-start twice (the second run must find nothing to do).
        var r = BoshRoot.Run("unshare", "--mount", "--propagation", "private", "/bin/bash", "-c", $$"""
            set -e
            mount -t tmpfs tmpfs /etc/profile.d
            umount -R /sys/fs/cgroup 2>/dev/null || umount -l /sys/fs/cgroup
            if grep -q ' /sys/fs/cgroup' /proc/self/mountinfo; then echo "cgroups still mounted"; exit 3; fi
            /bin/bash '{{script}}'
            echo '--- again'
            /bin/bash '{{script}}'
            echo '--- mounts'
            awk '$5 ~ "^/sys/fs/cgroup" { print $5, $(NF-2), $NF }' /proc/self/mountinfo
            echo '--- profile'
            cat /etc/profile.d/bpm.sh
            """);
        Assert.True(r.ExitCode == 0, "pre-start in a private mount namespace: " + r);
        var parts = r.Stdout.Split(["--- again\n", "--- mounts\n", "--- profile\n"], StringSplitOptions.None);
        Assert.True(parts.Length == 4, r.ToString());
        Assert.Contains("mounted tmpfs at /sys/fs/cgroup", parts[0]);
        Assert.DoesNotContain("mounted", parts[1]);
        var mounts = parts[2].Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).ToDictionary(f => f[0], f => (Type: f[1], Options: f[2]));
        Assert.Equal("tmpfs", mounts["/sys/fs/cgroup"].Type);
        var expected = File.ReadAllLines("/proc/self/cgroup").Select(l => l.Split(':', 3))
            .Where(f => f.Length == 3 && f[1].Length > 0).Select(f => f[1]).ToList();
        Assert.NotEmpty(expected);
        foreach (var controllers in expected)
        {
            var dir = "/sys/fs/cgroup/" + (controllers.StartsWith("name=", StringComparison.Ordinal) ? controllers[5..] : controllers);
            Assert.True(mounts.TryGetValue(dir, out var m), $"{dir} not mounted:\n{r.Stdout}");
            Assert.Equal("cgroup", m.Type);
            Assert.Contains(controllers, m.Options.Split(','));
        }
        Assert.Equal(expected.Count + 1, mounts.Count);
        Assert.Contains("/var/vcap/jobs/bpm/bin", parts[3]);
    }

    // ---------------------------------------------------------------- helpers

    private static CommandResult Bpm(BoshRoot root, params string[] args) =>
        BoshRoot.Exec(InstalledBpm, args, new Dictionary<string, string> { ["BPM_BOSH_ROOT"] = root.Root }, BoshRoot.CommandTimeout)
            .GetAwaiter().GetResult();

    // apt-get rather than dpkg: it waits for another apt or dpkg process to release the package
    // lock, where dpkg fails at once.
    private static CommandResult Apt(params string[] args) =>
        BoshRoot.Exec("apt-get", ["-o", "DPkg::Lock::Timeout=" + (int)DpkgTimeout.TotalSeconds, .. args],
                new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" }, DpkgTimeout + DpkgTimeout)
            .GetAwaiter().GetResult();

    /// <summary>dpkg's two-letter status of package bpm ("ii"...), or null when dpkg does not know it.</summary>
    private static string? PackageStatus()
    {
        var r = BoshRoot.Run("dpkg-query", "-W", "-f=${db:Status-Abbrev}", "bpm");
        var s = r.Stdout.Trim();
        return r.ExitCode != 0 || s.Length == 0 || s.StartsWith('u') || s.StartsWith('p') && s.Length > 1 && s[1] == 'n' ? null : s;
    }

    private static string? LinkTarget(string path) => new FileInfo(path).LinkTarget;

    // The pid in sys/run/bpm/JOB/JOB.waiter ("PID STARTTIME"), written by the start.
    private static int WaiterOf(BoshRoot root, string job)
    {
        var file = root.P("sys", "run", "bpm", job, job + ".waiter");
        Assert.True(File.Exists(file), $"{file} missing: the start ran without its waiter");
        var text = File.ReadAllText(file);
        Assert.Matches(@"^[0-9]+ [0-9]+$", text);
        return int.Parse(text.Split(' ')[0]);
    }

    /// <summary>
    /// artifacts/bpm_VERSION_amd64.deb for the current artifacts/bin/bpm and bpm-waiter: packed
    /// with `scripts/package --no-build` when missing or older than either binary.
    /// </summary>
    private static string EnsurePackage(out string version)
    {
        var bin = BoshRoot.BpmBin;
        var waiter = Path.Join(Path.GetDirectoryName(bin), "bpm-waiter");
        Assert.True(File.Exists(waiter), $"{waiter} missing: run scripts/build");
        var v = BoshRoot.Run(bin, "version");
        Assert.True(v.ExitCode == 0, "bpm version: " + v);
        version = v.Stdout.Trim();
        var deb = Path.Combine(BoshRoot.RepoRoot, "artifacts", $"bpm_{version}_amd64.deb");
        if (!File.Exists(deb) || File.GetLastWriteTimeUtc(deb) < File.GetLastWriteTimeUtc(bin)
            || File.GetLastWriteTimeUtc(deb) < File.GetLastWriteTimeUtc(waiter))
        {
            var sw = Stopwatch.StartNew();
            var r = BoshRoot.Exec(Path.Combine(BoshRoot.RepoRoot, "scripts", "package"), ["--no-build"], null, DpkgTimeout)
                .GetAwaiter().GetResult();
            Assert.True(r.ExitCode == 0, "scripts/package --no-build: " + r);
            Assert.True(File.Exists(deb), $"scripts/package did not make {deb}: {r}");
            Console.WriteLine($"PackageTests: packed {deb} in {sw.Elapsed.TotalSeconds:0.0} s");
        }
        return deb;
    }
}
