using Bpm.Bosh;
using Bpm.Identity;
using Bpm.Config;
using Bpm.Host;
using Bpm.Oci;

namespace Bpm.Spec;

// The one place that turns a process's configuration into its OCI spec (contract §5).
public static class SpecBuilder
{
    public const string DefaultLang = "en_US.UTF-8";

    // The default PATH after the job's own bin dir (and, in a container, before the original's ".").
    public static readonly IReadOnlyList<string> SystemPath = ["/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/usr/sbin", "/bin", "/sbin"];

    private static readonly string[] SystemDirs = ["/bin", "/etc", "/lib", "/lib64", "/sbin", "/usr"];
    private static readonly string[] OptionalSystemDirs = ["/run/resolvconf", "/run/systemd/resolve"];

    public static readonly IReadOnlyList<string> MaskedPaths =
        ["/etc/sv", "/proc/kcore", "/proc/latency_stats", "/proc/sched_debug", "/proc/timer_list", "/proc/timer_stats", "/sys/firmware"];

    public static readonly IReadOnlyList<string> ReadonlyPaths =
        ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    public static RuntimeSpec Build(ProcessConfig proc, SpecContext ctx)
    {
        var paths = ctx.Paths;
        var root = paths.Root;
        bool privileged = proc.Unsafe.Privileged;

        var caps = privileged ? CapabilityNames.Privileged(ctx.Features.CapabilityBound) : CapabilityNames.FromConfig(proc.Capabilities);
        var rlimits = new List<Rlimit>();
        if (proc.Limits.OpenFiles is { } nofile) rlimits.Add(new Rlimit("RLIMIT_NOFILE", nofile, nofile));
        if (proc.Limits.CoreFileSize is { } core) rlimits.Add(new Rlimit("RLIMIT_CORE", core, core));

        var process = new Oci.Process
        {
            User = privileged ? new User() : new User { Uid = ctx.Vcap.Uid, Gid = ctx.Vcap.Gid },
            Args = [root.TiniInternal, "-w", "-s", "--", proc.Executable, .. proc.Args],
            Env = Environment(proc, paths),
            Cwd = string.IsNullOrEmpty(proc.WorkDir) ? root.ToInternal(paths.JobDir) : proc.WorkDir,
            Capabilities = new Capabilities
            {
                Bounding = caps,
                Effective = privileged ? caps : [],
                Inheritable = caps,
                Permitted = caps,
                Ambient = caps,
            },
            Rlimits = rlimits.Count > 0 ? rlimits : null,
            NoNewPrivileges = !privileged,
        };

        var mounts = Mounts(proc, ctx);
        if (privileged) mounts = mounts.Select(m => m with { Options = m.Options?.Where(o => o != "nosuid").ToList() }).ToList();

        List<Namespace> namespaces = [new("ipc"), new("mount")];
        if (!proc.Unsafe.HostPidNamespace) namespaces.Add(new("pid"));
        namespaces.Add(new("uts"));

        Resources? resources = null;
        if (proc.Limits.Memory is not null || proc.Limits.Processes is not null)
        {
            resources = new Resources
            {
                Memory = proc.Limits.Memory is { } mem
                    ? new MemoryLimits { Limit = mem, Swap = ctx.Features.SwapLimit ? mem : 0 }
                    : null,
                Pids = proc.Limits.Processes is { } pids ? new PidsLimit(pids) : null,
            };
        }

        return new RuntimeSpec
        {
            Process = process,
            Root = new Root { Path = Path.Join(paths.BundleDir, "rootfs") },
            Mounts = mounts,
            Linux = new Linux
            {
                Resources = resources,
                CgroupsPath = CgroupsPath(paths, ctx.Cgroups),
                Namespaces = namespaces,
                Seccomp = privileged || ctx.Features.Rosetta ? null : SeccompProfile.Default,
                RootfsPropagation = "private",
                MaskedPaths = privileged ? null : MaskedPaths,
                ReadonlyPaths = privileged ? null : ReadonlyPaths,
            },
        };
    }

    // The one place a container's cgroup is placed: the spec, the reaper, the status readers and
    // recovery all come here (or read what was written from here into the bundle). The host's
    // layout places it (see CgroupLayout.CgroupsPath); its name is the process's (ProcessRef.CgroupName).
    public static string CgroupsPath(ProcessRef p, CgroupLayout cgroups) => cgroups.CgroupsPath(p.CgroupName);

    // The process's environment. The pre-start hook, which runs on the host as root, gets its own
    // (HookEnvironment).
    public static List<string> Environment(ProcessConfig proc, ProcessRef paths)
    {
        var root = paths.Root;
        var env = proc.Env.Select(kv => $"{kv.Key}={kv.Value}").ToList();
        bool Has(string key) => proc.Env.Any(kv => kv.Key == key);
        if (!Has("TMPDIR")) env.Add("TMPDIR=" + root.ToInternal(paths.TmpDir));
        if (!Has("LANG")) env.Add("LANG=" + DefaultLang);
        if (!Has("PATH")) env.Add($"PATH={root.ToInternal(paths.JobDir)}/bin:{string.Join(':', SystemPath)}:.");
        if (!Has("HOME")) env.Add("HOME=" + root.ToInternal(paths.DataDir));
        return env;
    }

    private static List<Mount> Mounts(ProcessConfig proc, SpecContext ctx)
    {
        var paths = ctx.Paths;
        var root = paths.Root;
        string In(string external) => root.ToInternal(external);

        var all = new List<Mount>(MountOptions.Defaults);
        foreach (var dir in SystemDirs)
            if (ctx.DirectoryExists(dir)) all.Add(MountOptions.Bind(dir, dir, exec: true));
        foreach (var dir in OptionalSystemDirs)
            if (ctx.DirectoryExists(dir)) all.Add(MountOptions.Bind(dir, dir, exec: true));

        var bosh = new List<Mount>
        {
            MountOptions.Bind(Source(ctx, paths.TmpDir), "/tmp", recursive: true, writable: true),
            MountOptions.Bind(Source(ctx, paths.TmpDir), "/var/tmp", recursive: true, writable: true),
            MountOptions.Bind(Source(ctx, paths.TmpDir), In(paths.TmpDir), recursive: true, writable: true),
            MountOptions.Bind(paths.DataPackagesDir, In(paths.DataPackagesDir), exec: true),
            MountOptions.Bind(paths.PackagesDir, In(paths.PackagesDir), exec: true),
            MountOptions.Bind(paths.JobDir, In(paths.JobDir), exec: true),
            MountOptions.Bind(Source(ctx, paths.LogDir), In(paths.LogDir), recursive: true, writable: true),
        };
        if (proc.EphemeralDisk) bosh.Add(MountOptions.Bind(Source(ctx, paths.DataDir), In(paths.DataDir), recursive: true, writable: true));
        if (proc.PersistentDisk) bosh.Add(MountOptions.Bind(Source(ctx, paths.StoreDir), In(paths.StoreDir), recursive: true, writable: true));
        all.AddRange(bosh);
        // Volume paths are host paths, mounted at the same path inside (identity mounts).
        foreach (var v in proc.AdditionalVolumes)
            all.Add(VolumeMount(v, v.Path, Source(ctx, v.Path)));

        // Each match of an unrestricted glob, at its own path with its own options, as the original
        // mounts them: one inside a BOSH directory of the process is mounted over it (a release may
        // need its own bpm.yml writable); one at the very path of a mount above keeps that mount.
        foreach (var v in proc.Unsafe.UnrestrictedVolumes)
            foreach (var match in ctx.Glob(v.Path))
                all.Add(VolumeMount(v, match, Source(ctx, match)));

        var seen = new HashSet<string>(StringComparer.Ordinal);
        return all.Where(m => seen.Add(m.Destination))
            .OrderBy(m => PathText.Depth(m.Destination))
            .ToList();
    }

    private static Mount VolumeMount(Volume v, string destination, string source) =>
        MountOptions.Bind(source, destination, recursive: true, exec: v.AllowExecutions, writable: v.Writable);

    // Where runc finds a host directory: bpm's pinned copy of it when it staged one.
    private static string Source(SpecContext ctx, string host) =>
        ctx.StagedSources.TryGetValue(host, out var staged) ? staged : host;
}
