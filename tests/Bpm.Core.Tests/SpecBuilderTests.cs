using System.Text.Json;
using Bpm.Bosh;
using Bpm.Identity;
using Bpm.Config;
using Bpm.Host;
using Bpm.Oci;
using Bpm.Spec;
using Xunit;

namespace Bpm.Tests;

public class SpecBuilderTests
{
    private const string Tini = "/var/vcap/packages/bpm/bin/tini";
    private const string DefaultPath = "/var/vcap/jobs/web/bin:/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin:.";

    private static readonly HashSet<string> ExistingDirs = ["/bin", "/etc", "/lib", "/lib64", "/sbin", "/usr"];

    internal static readonly Dictionary<string, IReadOnlyList<string>> Globs = new()
    {
        ["/var/vcap/jobs/*/config/indicators.yml"] =
        [
            "/var/vcap/jobs/other/config/indicators.yml",
            "/var/vcap/jobs/web/config/indicators.yml",
            "/var/vcap/jobs/zzz/config/indicators.yml",
        ],
        ["/var/vcap/sys/log/*"] = ["/var/vcap/sys/log/other", "/var/vcap/sys/log/web"],
        ["/var/vcap/data/*/tmp"] = ["/var/vcap/data/other/tmp", "/var/vcap/data/web/tmp"],
        ["/etc/ssl"] = ["/etc/ssl"],
        ["/proc/*/status"] = [],
    };

    internal static SpecContext Context(
        string job = "web", string? process = null, bool swap = true, bool systemd = false, string parent = "/") => new()
    {
        Paths = ProcessRef.Of(new BoshRoot("/var/vcap"), job, process ?? job),
        Vcap = new UserIds(2000, 3000),
        Features = new HostFeatures(SwapLimit: swap, Systemd: systemd),
        Cgroups = new CgroupLayout(CgroupVersion.V2, systemd, parent, new Dictionary<string, string>()),
        DirectoryExists = ExistingDirs.Contains,
        Glob = pattern => Globs.TryGetValue(pattern, out var matches) ? matches : [],
    };

    private static ProcessConfig Minimal => new() { Name = "web", Executable = "/var/vcap/packages/web/bin/web" };

    private static RuntimeSpec Build(ProcessConfig proc) => SpecBuilder.Build(proc, Context());

    private static Mount MountAt(RuntimeSpec spec, string destination) => Assert.Single(spec.Mounts, m => m.Destination == destination);

    // ---- process ----

    [Fact]
    public void ArgsRunTheExecutableUnderTini()
    {
        var spec = Build(Minimal with { Args = ["--port", "2424"] });
        Assert.Equal([Tini, "-w", "-s", "--", "/var/vcap/packages/web/bin/web", "--port", "2424"], spec.Process.Args);
    }

    [Fact]
    public void ArgsWithoutConfiguredArgs() =>
        Assert.Equal([Tini, "-w", "-s", "--", "/var/vcap/packages/web/bin/web"], Build(Minimal).Process.Args);

    [Fact]
    public void EnvDefaults() =>
        Assert.Equal(
            ["TMPDIR=/var/vcap/data/web/tmp", "LANG=en_US.UTF-8", "PATH=" + DefaultPath, "HOME=/var/vcap/data/web"],
            Build(Minimal).Process.Env);

    [Fact]
    public void ConfiguredEnvComesFirstAndDefaultsFillTheRest()
    {
        var spec = Build(Minimal with { Env = [new("FOO", "BAR"), new("EMPTY", "")] });
        Assert.Equal(
            ["FOO=BAR", "EMPTY=", "TMPDIR=/var/vcap/data/web/tmp", "LANG=en_US.UTF-8", "PATH=" + DefaultPath, "HOME=/var/vcap/data/web"],
            spec.Process.Env);
    }

    [Fact]
    public void ConfiguredValuesWinOverDefaults()
    {
        var spec = Build(Minimal with
        {
            Env = [new("PATH", "/x"), new("HOME", "/h"), new("LANG", "C"), new("TMPDIR", "/t")],
        });
        Assert.Equal(["PATH=/x", "HOME=/h", "LANG=C", "TMPDIR=/t"], spec.Process.Env);
    }

    [Fact]
    public void OneConfiguredDefaultLeavesTheOthers()
    {
        var env = Build(Minimal with { Env = [new("LANG", "C.UTF-8")] }).Process.Env;
        Assert.Single(env, e => e.StartsWith("LANG=", StringComparison.Ordinal));
        Assert.Contains("LANG=C.UTF-8", env);
        Assert.Contains("TMPDIR=/var/vcap/data/web/tmp", env);
        Assert.Contains("HOME=/var/vcap/data/web", env);
    }

    [Fact]
    public void EnvDefaultsFollowTheJobNotTheProcess()
    {
        var env = SpecBuilder.Build(Minimal with { Name = "worker" }, Context(process: "worker")).Process.Env;
        Assert.Contains("TMPDIR=/var/vcap/data/web/tmp", env);
        Assert.Contains("HOME=/var/vcap/data/web", env);
        Assert.Contains("PATH=" + DefaultPath, env);
    }

    [Fact]
    public void RunsAsVcap()
    {
        var user = Build(Minimal).Process.User;
        Assert.Equal(2000u, user.Uid);
        Assert.Equal(3000u, user.Gid);
    }

    [Fact]
    public void CwdDefaultsToTheInternalJobDir() => Assert.Equal("/var/vcap/jobs/web", Build(Minimal).Process.Cwd);

    [Fact]
    public void CwdIsTheWorkdir() =>
        Assert.Equal("/var/vcap/data/web/work", Build(Minimal with { WorkDir = "/var/vcap/data/web/work" }).Process.Cwd);

    [Fact]
    public void CwdIsInternalEvenUnderACustomRoot()
    {
        var ctx = Context() with { Paths = ProcessRef.Of(new BoshRoot("/tmp/x"), "web", "web") };
        var spec = SpecBuilder.Build(Minimal, ctx);
        Assert.Equal("/var/vcap/jobs/web", spec.Process.Cwd);
        Assert.Equal(Tini, spec.Process.Args[0]);
        Assert.Contains("TMPDIR=/var/vcap/data/web/tmp", spec.Process.Env);
        Assert.Equal("/tmp/x/data/bpm/bundles/web/web/rootfs", spec.Root.Path);
        var jobs = MountAt(spec, "/var/vcap/jobs/web");
        Assert.Equal("/tmp/x/jobs/web", jobs.Source);
        Assert.Equal("/tmp/x/data/web/tmp", MountAt(spec, "/tmp").Source);
    }

    [Fact]
    public void NoNewPrivileges() => Assert.True(Build(Minimal).Process.NoNewPrivileges);

    [Fact]
    public void NoTerminal() => Assert.False(Build(Minimal).Process.Terminal);

    [Fact]
    public void NoCapabilitiesByDefault()
    {
        var caps = Build(Minimal).Process.Capabilities!;
        Assert.Empty(caps.Bounding);
        Assert.Empty(caps.Effective);
        Assert.Empty(caps.Inheritable);
        Assert.Empty(caps.Permitted);
        Assert.Empty(caps.Ambient);
    }

    [Fact]
    public void CapabilitiesGoEverywhereButEffective()
    {
        var caps = Build(Minimal with { Capabilities = ["NET_BIND_SERVICE", "SYS_TIME"] }).Process.Capabilities!;
        string[] expected = ["CAP_NET_BIND_SERVICE", "CAP_SYS_TIME"];
        Assert.Equal(expected, caps.Bounding);
        Assert.Equal(expected, caps.Inheritable);
        Assert.Equal(expected, caps.Permitted);
        Assert.Equal(expected, caps.Ambient);
        Assert.Empty(caps.Effective);
    }

    [Fact]
    public void NoRlimitsByDefault() => Assert.Null(Build(Minimal).Process.Rlimits);

    [Fact]
    public void OpenFilesAndCoreFileSizeRlimits()
    {
        var spec = Build(Minimal with { Limits = new Limits { OpenFiles = 1024, CoreFileSize = 0 } });
        Assert.Equal([new Rlimit("RLIMIT_NOFILE", 1024, 1024), new Rlimit("RLIMIT_CORE", 0, 0)], spec.Process.Rlimits);
    }

    [Fact]
    public void OpenFilesRlimitAlone() =>
        Assert.Equal([new Rlimit("RLIMIT_NOFILE", 65536, 65536)], Build(Minimal with { Limits = new Limits { OpenFiles = 65536 } }).Process.Rlimits);

    // ---- root, namespaces ----

    [Fact]
    public void RootIsTheBundlesRootfs()
    {
        var spec = Build(Minimal);
        Assert.Equal("/var/vcap/data/bpm/bundles/web/web/rootfs", spec.Root.Path);
        Assert.False(spec.Root.Readonly);
        Assert.Equal("private", spec.Linux.RootfsPropagation);
    }

    [Fact]
    public void Namespaces() =>
        Assert.Equal(["ipc", "mount", "pid", "uts"], Build(Minimal).Linux.Namespaces.Select(n => n.Type).Order());

    [Fact]
    public void HostPidNamespaceDropsThePidNamespace() =>
        Assert.Equal(
            ["ipc", "mount", "uts"],
            Build(Minimal with { Unsafe = new UnsafeConfig { HostPidNamespace = true } }).Linux.Namespaces.Select(n => n.Type).Order());

    [Fact]
    public void NeverANetworkNamespace()
    {
        Assert.DoesNotContain(Build(Minimal).Linux.Namespaces, n => n.Type == "network");
        Assert.DoesNotContain(Build(Minimal with { Unsafe = new UnsafeConfig { Privileged = true } }).Linux.Namespaces, n => n.Type == "network");
    }

    // ---- mounts ----

    [Fact]
    public void DefaultKernelMounts()
    {
        var spec = Build(Minimal);
        Assert.Equal(("proc", "proc", null), (MountAt(spec, "/proc").Type, MountAt(spec, "/proc").Source, MountAt(spec, "/proc").Options));
        Assert.Equal(("tmpfs", "tmpfs"), (MountAt(spec, "/dev").Type, MountAt(spec, "/dev").Source));
        Assert.Equal(["nosuid", "noexec", "mode=755"], MountAt(spec, "/dev").Options);
        Assert.Equal(("devpts", "devpts"), (MountAt(spec, "/dev/pts").Type, MountAt(spec, "/dev/pts").Source));
        Assert.Equal(["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"], MountAt(spec, "/dev/pts").Options);
        Assert.Equal("tmpfs", MountAt(spec, "/dev/shm").Type);
        Assert.Equal(["nosuid", "noexec", "nodev", "mode=1777"], MountAt(spec, "/dev/shm").Options);
        Assert.Equal("mqueue", MountAt(spec, "/dev/mqueue").Type);
        Assert.Equal(["nosuid", "noexec", "nodev"], MountAt(spec, "/dev/mqueue").Options);
        Assert.Equal("sysfs", MountAt(spec, "/sys").Type);
        Assert.Equal(["nosuid", "noexec", "nodev", "ro"], MountAt(spec, "/sys").Options);
    }

    [Theory]
    [InlineData("/bin")]
    [InlineData("/etc")]
    [InlineData("/lib")]
    [InlineData("/lib64")]
    [InlineData("/sbin")]
    [InlineData("/usr")]
    public void SystemDirsAreIdentityExecReadOnlyBinds(string dir)
    {
        var m = MountAt(Build(Minimal), dir);
        Assert.Equal(("bind", dir), (m.Type, m.Source));
        Assert.Equal(["bind", "exec", "nosuid", "nodev", "ro"], m.Options);
    }

    [Fact]
    public void MissingSystemDirsAreSkipped()
    {
        var ctx = Context() with { DirectoryExists = d => d is "/bin" or "/usr" };
        var spec = SpecBuilder.Build(Minimal, ctx);
        Assert.DoesNotContain(spec.Mounts, m => m.Destination is "/lib64" or "/etc" or "/lib" or "/sbin");
        MountAt(spec, "/bin");
        MountAt(spec, "/usr");
    }

    [Fact]
    public void ResolverDirsAreMountedOnlyWhenTheyExist()
    {
        Assert.DoesNotContain(Build(Minimal).Mounts, m => m.Destination.StartsWith("/run", StringComparison.Ordinal));
        var ctx = Context() with { DirectoryExists = d => ExistingDirs.Contains(d) || d is "/run/resolvconf" or "/run/systemd/resolve" };
        var spec = SpecBuilder.Build(Minimal, ctx);
        Assert.Equal(["bind", "exec", "nosuid", "nodev", "ro"], MountAt(spec, "/run/resolvconf").Options);
        Assert.Equal(["bind", "exec", "nosuid", "nodev", "ro"], MountAt(spec, "/run/systemd/resolve").Options);
    }

    [Theory]
    [InlineData("/tmp")]
    [InlineData("/var/tmp")]
    [InlineData("/var/vcap/data/web/tmp")]
    public void TmpDirsAreTheJobsTmpRw(string destination)
    {
        var m = MountAt(Build(Minimal), destination);
        Assert.Equal(("bind", "/var/vcap/data/web/tmp"), (m.Type, m.Source));
        Assert.Equal(["rbind", "noexec", "nosuid", "nodev", "rw"], m.Options);
    }

    [Theory]
    [InlineData("/var/vcap/data/packages")]
    [InlineData("/var/vcap/packages")]
    [InlineData("/var/vcap/jobs/web")]
    public void PackagesAndJobDirAreExecReadOnly(string destination)
    {
        var m = MountAt(Build(Minimal), destination);
        Assert.Equal(destination, m.Source);
        Assert.Equal(["bind", "exec", "nosuid", "nodev", "ro"], m.Options);
    }

    [Fact]
    public void LogDirIsWritable()
    {
        var m = MountAt(Build(Minimal), "/var/vcap/sys/log/web");
        Assert.Equal("/var/vcap/sys/log/web", m.Source);
        Assert.Equal(["rbind", "noexec", "nosuid", "nodev", "rw"], m.Options);
    }

    [Fact]
    public void DataAndStoreOnlyWhenAsked()
    {
        var plain = Build(Minimal);
        Assert.DoesNotContain(plain.Mounts, m => m.Destination is "/var/vcap/data/web" or "/var/vcap/store/web");

        var spec = Build(Minimal with { EphemeralDisk = true, PersistentDisk = true });
        Assert.Equal(["rbind", "noexec", "nosuid", "nodev", "rw"], MountAt(spec, "/var/vcap/data/web").Options);
        Assert.Equal("/var/vcap/data/web", MountAt(spec, "/var/vcap/data/web").Source);
        Assert.Equal(["rbind", "noexec", "nosuid", "nodev", "rw"], MountAt(spec, "/var/vcap/store/web").Options);
        Assert.Equal("/var/vcap/store/web", MountAt(spec, "/var/vcap/store/web").Source);

        var onlyData = Build(Minimal with { EphemeralDisk = true });
        MountAt(onlyData, "/var/vcap/data/web");
        Assert.DoesNotContain(onlyData.Mounts, m => m.Destination == "/var/vcap/store/web");
    }

    [Theory]
    [InlineData(false, false, "noexec", "ro")]
    [InlineData(true, false, "noexec", "rw")]
    [InlineData(false, true, "exec", "ro")]
    [InlineData(true, true, "exec", "rw")]
    public void AdditionalVolumeOptions(bool writable, bool exec, string execOption, string rwOption)
    {
        var spec = Build(Minimal with
        {
            AdditionalVolumes = [new Volume { Path = "/var/vcap/data/sockets", Writable = writable, AllowExecutions = exec }],
        });
        var m = MountAt(spec, "/var/vcap/data/sockets");
        Assert.Equal(("bind", "/var/vcap/data/sockets"), (m.Type, m.Source));
        Assert.Equal(["rbind", execOption, "nosuid", "nodev", rwOption], m.Options);
    }

    [Fact]
    public void AdditionalVolumeIsAnIdentityMountOfTheHostPathUnderACustomRoot()
    {
        var ctx = Context() with { Paths = ProcessRef.Of(new BoshRoot("/tmp/x"), "web", "web") };
        var spec = SpecBuilder.Build(Minimal with { AdditionalVolumes = [new Volume { Path = "/tmp/x/data/sockets", Writable = true }] }, ctx);
        var m = MountAt(spec, "/tmp/x/data/sockets");
        Assert.Equal("/tmp/x/data/sockets", m.Source);
        Assert.Equal(["rbind", "noexec", "nosuid", "nodev", "rw"], m.Options);
        Assert.DoesNotContain(spec.Mounts, x => x.Destination == "/var/vcap/data/sockets");
    }

    [Fact]
    public void StagedSourcesReplaceTheHostPathsOfWritableMounts()
    {
        var ctx = Context() with
        {
            Paths = ProcessRef.Of(new BoshRoot("/tmp/x"), "web", "web"),
            StagedSources = new Dictionary<string, string>
            {
                ["/tmp/x/data/web/tmp"] = "/s/0", ["/tmp/x/sys/log/web"] = "/s/1", ["/tmp/x/data/web"] = "/s/2", ["/tmp/x/data/sockets"] = "/s/3",
            },
        };
        var spec = SpecBuilder.Build(Minimal with { EphemeralDisk = true, AdditionalVolumes = [new Volume { Path = "/tmp/x/data/sockets" }] }, ctx);
        Assert.Equal("/s/0", MountAt(spec, "/tmp").Source);
        Assert.Equal("/s/0", MountAt(spec, "/var/vcap/data/web/tmp").Source);
        Assert.Equal("/s/1", MountAt(spec, "/var/vcap/sys/log/web").Source);
        Assert.Equal("/s/2", MountAt(spec, "/var/vcap/data/web").Source);
        Assert.Equal("/s/3", MountAt(spec, "/tmp/x/data/sockets").Source);
        Assert.Equal("/tmp/x/jobs/web", MountAt(spec, "/var/vcap/jobs/web").Source);
    }

    [Fact]
    public void PinnedUnrestrictedMatchesAreMountedFromTheirPins()
    {
        var ctx = Context() with
        {
            StagedSources = new Dictionary<string, string> { ["/var/vcap/jobs/other/config/indicators.yml"] = "/s/4" },
        };
        var proc = Minimal with
        {
            Unsafe = new UnsafeConfig { UnrestrictedVolumes = [new Volume { Path = "/var/vcap/jobs/*/config/indicators.yml" }] },
        };
        var spec = SpecBuilder.Build(proc, ctx);
        var pinned = MountAt(spec, "/var/vcap/jobs/other/config/indicators.yml");
        Assert.Equal("/s/4", pinned.Source);
        Assert.Equal(["rbind", "noexec", "nosuid", "nodev", "ro"], pinned.Options);
        // Not pinned: mounted from the host path, as before.
        Assert.Equal("/var/vcap/jobs/zzz/config/indicators.yml", MountAt(spec, "/var/vcap/jobs/zzz/config/indicators.yml").Source);
    }

    [Fact]
    public void DuplicateDestinationsFirstWins()
    {
        var spec = Build(Minimal with
        {
            AdditionalVolumes =
            [
                new Volume { Path = "/var/vcap/data/shared", Writable = true },
                new Volume { Path = "/var/vcap/data/shared", AllowExecutions = true },
                // Collides with the log dir mount, which came earlier.
                new Volume { Path = "/var/vcap/sys/log/web", AllowExecutions = true },
            ],
        });
        Assert.Equal(["rbind", "noexec", "nosuid", "nodev", "rw"], MountAt(spec, "/var/vcap/data/shared").Options);
        Assert.Equal(["rbind", "noexec", "nosuid", "nodev", "rw"], MountAt(spec, "/var/vcap/sys/log/web").Options);
        Assert.Equal(spec.Mounts.Count, spec.Mounts.Select(m => m.Destination).Distinct().Count());
    }

    [Fact]
    public void MountsAreOrderedByDepthStably()
    {
        var spec = Build(Minimal with
        {
            EphemeralDisk = true,
            AdditionalVolumes = [new Volume { Path = "/var/vcap/data/a/b/c" }, new Volume { Path = "/var/vcap/x" }],
        });
        var depths = spec.Mounts.Select(m => PathText.Depth(m.Destination)).ToList();
        Assert.Equal(depths.Order(), depths);
        // Within a depth, the order of construction stays.
        Assert.Equal(
            ["/dev", "/sys", "/bin", "/etc", "/lib", "/lib64", "/sbin", "/usr", "/tmp"],
            spec.Mounts.Where(m => PathText.Depth(m.Destination) == 1 && m.Destination != "/proc").Select(m => m.Destination));
        Assert.Equal("/proc", spec.Mounts[0].Destination);
        Assert.Equal("/var/vcap/data/a/b/c", spec.Mounts[^1].Destination);
        Assert.True(
            spec.Mounts.ToList().FindIndex(m => m.Destination == "/var/vcap/data/web") <
            spec.Mounts.ToList().FindIndex(m => m.Destination == "/var/vcap/data/web/tmp"));
    }

    [Fact]
    public void UnrestrictedGlobMatchesUnderBoshMountsAreMountedOverThem()
    {
        var spec = Build(Minimal with
        {
            Unsafe = new UnsafeConfig
            {
                UnrestrictedVolumes = [new Volume { Path = "/var/vcap/jobs/*/config/indicators.yml" }],
            },
        });
        var other = MountAt(spec, "/var/vcap/jobs/other/config/indicators.yml");
        Assert.Equal("/var/vcap/jobs/other/config/indicators.yml", other.Source);
        Assert.Equal(["rbind", "noexec", "nosuid", "nodev", "ro"], other.Options);
        MountAt(spec, "/var/vcap/jobs/zzz/config/indicators.yml");
        // The process's own, inside its job dir, as the original mounts it: after the job dir.
        var own = MountAt(spec, "/var/vcap/jobs/web/config/indicators.yml");
        Assert.Equal(["rbind", "noexec", "nosuid", "nodev", "ro"], own.Options);
        Assert.True(spec.Mounts.ToList().IndexOf(own) > spec.Mounts.ToList().FindIndex(m => m.Destination == "/var/vcap/jobs/web"));
    }

    [Fact]
    public void UnrestrictedMatchesAtABoshMountsPathKeepThatMount()
    {
        var spec = Build(Minimal with
        {
            EphemeralDisk = true,
            Unsafe = new UnsafeConfig
            {
                UnrestrictedVolumes =
                [
                    new Volume { Path = "/var/vcap/sys/log/*", Writable = true },
                    new Volume { Path = "/var/vcap/data/*/tmp" },
                ],
            },
        });
        Assert.Equal(["rbind", "noexec", "nosuid", "nodev", "rw"], MountAt(spec, "/var/vcap/sys/log/other").Options);
        Assert.Equal("/var/vcap/sys/log/web", MountAt(spec, "/var/vcap/sys/log/web").Source);
        MountAt(spec, "/var/vcap/data/other/tmp");
        // data/web/tmp is the tmp mount's path: the first mount there wins, as with the original.
        Assert.Equal(["rbind", "noexec", "nosuid", "nodev", "rw"], MountAt(spec, "/var/vcap/data/web/tmp").Options);
    }

    [Fact]
    public void UnrestrictedVolumesOutsideTheRoot()
    {
        var spec = Build(Minimal with
        {
            Unsafe = new UnsafeConfig
            {
                HostPidNamespace = true,
                UnrestrictedVolumes = [new Volume { Path = "/etc/ssl", AllowExecutions = true }, new Volume { Path = "/proc/*/status" }],
            },
        });
        var m = MountAt(spec, "/etc/ssl");
        Assert.Equal("/etc/ssl", m.Source);
        Assert.Equal(["rbind", "exec", "nosuid", "nodev", "ro"], m.Options);
        Assert.DoesNotContain(spec.Mounts, x => x.Destination.StartsWith("/proc/", StringComparison.Ordinal));
    }

    [Fact]
    public void UnrestrictedGlobIsExpandedOnTheHostSide()
    {
        var seen = new List<string>();
        var ctx = Context() with
        {
            Paths = ProcessRef.Of(new BoshRoot("/tmp/x"), "web", "web"),
            Glob = p =>
            {
                seen.Add(p);
                return ["/tmp/x/jobs/other/config/indicators.yml", "/tmp/x/jobs/web/config/indicators.yml", "/tmp/x/sys/log/web/x", "/tmp/x/data/web/tmp/y"];
            },
        };
        var spec = SpecBuilder.Build(Minimal with
        {
            Unsafe = new UnsafeConfig { UnrestrictedVolumes = [new Volume { Path = "/tmp/x/jobs/*/config/indicators.yml" }] },
        }, ctx);
        Assert.Equal(["/tmp/x/jobs/*/config/indicators.yml"], seen);
        var m = MountAt(spec, "/tmp/x/jobs/other/config/indicators.yml");
        Assert.Equal("/tmp/x/jobs/other/config/indicators.yml", m.Source);
        // Matches under the job's own BOSH dirs are mounted too, each at its host path.
        foreach (var own in new[] { "/tmp/x/jobs/web/config/indicators.yml", "/tmp/x/sys/log/web/x", "/tmp/x/data/web/tmp/y" })
            Assert.Equal(own, MountAt(spec, own).Source);
    }

    [Fact]
    public void EveryBindMountIsNosuidAndNodev()
    {
        var spec = Build(Minimal with { EphemeralDisk = true, AdditionalVolumes = [new Volume { Path = "/var/vcap/data/s", Writable = true, AllowExecutions = true }] });
        Assert.All(spec.Mounts.Where(m => m.Type == "bind"), m =>
        {
            Assert.Contains("nosuid", m.Options!);
            Assert.Contains("nodev", m.Options!);
        });
    }

    // ---- linux ----

    [Fact]
    public void MaskedAndReadonlyPaths()
    {
        var linux = Build(Minimal).Linux;
        Assert.Equal(
            ["/etc/sv", "/proc/kcore", "/proc/latency_stats", "/proc/sched_debug", "/proc/timer_list", "/proc/timer_stats", "/sys/firmware"],
            linux.MaskedPaths);
        Assert.Equal(["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"], linux.ReadonlyPaths);
    }

    [Fact]
    public void SeccompIsTheDefaultProfile() => Assert.Same(SeccompProfile.Default, Build(Minimal).Linux.Seccomp);

    [Fact]
    public void NoSeccompUnderRosetta()
    {
        var ctx = Context() with { Features = new HostFeatures(SwapLimit: true, Systemd: false, Rosetta: true) };
        var linux = SpecBuilder.Build(Minimal, ctx).Linux;
        Assert.Null(linux.Seccomp);
        Assert.NotNull(linux.MaskedPaths);
    }

    [Fact]
    public void NoResourcesWithoutLimits() => Assert.Null(Build(Minimal).Linux.Resources);

    [Fact]
    public void MemoryLimitAndSwapWhenTheHostLimitsSwap()
    {
        var r = Build(Minimal with { Limits = new Limits { Memory = 1L << 30 } }).Linux.Resources!;
        Assert.Equal(1L << 30, r.Memory!.Limit);
        Assert.Equal(1L << 30, r.Memory.Swap);
        Assert.Null(r.Pids);
    }

    [Fact]
    public void NoSwapLimitWhenTheHostCannot()
    {
        var spec = SpecBuilder.Build(Minimal with { Limits = new Limits { Memory = 1L << 30 } }, Context(swap: false));
        Assert.Equal(1L << 30, spec.Linux.Resources!.Memory!.Limit);
        Assert.Equal(0, spec.Linux.Resources.Memory.Swap);
        Assert.DoesNotContain("swap", System.Text.Encoding.UTF8.GetString(OciJson.Write(spec)));
    }

    [Fact]
    public void PidsLimit()
    {
        var r = Build(Minimal with { Limits = new Limits { Processes = 10 } }).Linux.Resources!;
        Assert.Equal(10, r.Pids!.Limit);
        Assert.Null(r.Memory);
    }

    [Fact]
    public void CgroupsPathUnderTheRootCgroup() => Assert.Equal("/bpm-web", Build(Minimal).Linux.CgroupsPath);

    [Theory]
    [InlineData("/a/b")]
    [InlineData("/a/b/")]
    [InlineData("a/b")]
    public void CgroupsPathUnderBpmsOwnCgroup(string parent) =>
        Assert.Equal("/a/b/bpm-web", SpecBuilder.Build(Minimal, Context(parent: parent)).Linux.CgroupsPath);

    [Fact]
    public void CgroupsPathUsesTheEncodedId() =>
        Assert.Equal("/bpm-web.2eworker", SpecBuilder.Build(Minimal with { Name = "worker" }, Context(process: "worker")).Linux.CgroupsPath);

    [Fact]
    public void CgroupsPathUnderSystemd()
    {
        var path = SpecBuilder.Build(Minimal, Context(systemd: true, parent: "/system.slice/x.service")).Linux.CgroupsPath!;
        Assert.Equal("system.slice:x-service-bpm:bpm-web", path);
        Assert.Equal(3, path.Split(':').Length);
        Assert.EndsWith(":bpm-web", path);
    }

    // ---- privileged ----

    private static RuntimeSpec Privileged() => Build(Minimal with
    {
        Capabilities = ["NET_BIND_SERVICE"],
        EphemeralDisk = true,
        AdditionalVolumes = [new Volume { Path = "/var/vcap/data/s", Writable = true }],
        Unsafe = new UnsafeConfig { Privileged = true },
    });

    [Fact]
    public void PrivilegedRunsAsRoot()
    {
        var user = Privileged().Process.User;
        Assert.Equal(0u, user.Uid);
        Assert.Equal(0u, user.Gid);
    }

    [Fact]
    public void PrivilegedHasNoSeccompMaskedOrReadonlyPaths()
    {
        var linux = Privileged().Linux;
        Assert.Null(linux.Seccomp);
        Assert.Null(linux.MaskedPaths);
        Assert.Null(linux.ReadonlyPaths);
    }

    [Fact]
    public void PrivilegedAllowsNewPrivileges() => Assert.False(Privileged().Process.NoNewPrivileges);

    [Fact]
    public void PrivilegedHasNoNosuidAnywhere()
    {
        var spec = Privileged();
        Assert.All(spec.Mounts, m => Assert.DoesNotContain("nosuid", m.Options ?? []));
        Assert.DoesNotContain("nosuid", JsonSerializer.Serialize(spec, OciJson.Default.RuntimeSpec));
        // The other options stay, in order.
        Assert.Equal(["rbind", "noexec", "nodev", "rw"], MountAt(spec, "/var/vcap/data/s").Options);
        Assert.Equal(["noexec", "mode=755"], MountAt(spec, "/dev").Options);
    }

    [Fact]
    public void PrivilegedGetsTheDockerPrivilegedCapabilities()
    {
        var caps = Privileged().Process.Capabilities!;
        Assert.Equal(38, caps.Bounding.Count);
        Assert.Equal(CapabilityNames.Privileged(ulong.MaxValue), caps.Bounding);
        Assert.Equal(CapabilityNames.Privileged(ulong.MaxValue), caps.Permitted);
        Assert.Equal(CapabilityNames.Privileged(ulong.MaxValue), caps.Inheritable);
        Assert.Contains("CAP_SYS_ADMIN", caps.Bounding);
        Assert.Contains("CAP_NET_ADMIN", caps.Bounding);
        Assert.All(caps.Bounding, c => Assert.StartsWith("CAP_", c));
    }

    [Fact]
    public void PrivilegedIsCapabilitiesZeroThroughAuditRead()
    {
        var caps = CapabilityNames.Privileged(ulong.MaxValue);
        Assert.Contains("CAP_AUDIT_READ", caps);
        Assert.Contains("CAP_CHOWN", caps);
        Assert.DoesNotContain("CAP_PERFMON", caps);
        Assert.DoesNotContain("CAP_BPF", caps);
        Assert.DoesNotContain("CAP_CHECKPOINT_RESTORE", caps);
        // The same set as a CapEff mask: 0000003fffffffff.
        Assert.Equal(CapabilityNames.Privileged(0x3fffffffffUL), caps);
        Assert.Empty(CapabilityNames.Privileged(~0x3fffffffffUL));
    }

    [Fact]
    public void PrivilegedCapabilitiesStayWithinTheHostsBoundingSet()
    {
        // CAP_SYS_RESOURCE is bit 24; a host without it must not be asked for it.
        var caps = CapabilityNames.Privileged(ulong.MaxValue & ~(1UL << 24));
        Assert.DoesNotContain("CAP_SYS_RESOURCE", caps);
        Assert.Contains("CAP_SYS_ADMIN", caps);
        Assert.Equal(["CAP_CHOWN"], CapabilityNames.Privileged(1));
    }

    [Fact]
    public void PrivilegedKeepsNamespacesAndMounts()
    {
        var spec = Privileged();
        Assert.Contains(spec.Linux.Namespaces, n => n.Type == "pid");
        MountAt(spec, "/var/vcap/data/web");
        MountAt(spec, "/tmp");
    }

    // ---- serialization ----

    [Fact]
    public void SerializedSpecUsesOciNames()
    {
        var json = JsonSerializer.Serialize(Build(Minimal with { Limits = new Limits { Memory = 1024, Processes = 5, OpenFiles = 9 } }), OciJson.Default.RuntimeSpec);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("1.0.2-dev", root.GetProperty("ociVersion").GetString());
        Assert.True(root.GetProperty("process").GetProperty("noNewPrivileges").GetBoolean());
        Assert.Equal(2000u, root.GetProperty("process").GetProperty("user").GetProperty("uid").GetUInt32());
        Assert.Equal("RLIMIT_NOFILE", root.GetProperty("process").GetProperty("rlimits")[0].GetProperty("type").GetString());
        Assert.Equal(1024, root.GetProperty("linux").GetProperty("resources").GetProperty("memory").GetProperty("limit").GetInt64());
        Assert.Equal(5, root.GetProperty("linux").GetProperty("resources").GetProperty("pids").GetProperty("limit").GetInt64());
        Assert.Equal("/bpm-web", root.GetProperty("linux").GetProperty("cgroupsPath").GetString());
        Assert.Equal("SCMP_ACT_ERRNO", root.GetProperty("linux").GetProperty("seccomp").GetProperty("defaultAction").GetString());
        Assert.False(root.GetProperty("linux").TryGetProperty("network", out _));
    }
}
