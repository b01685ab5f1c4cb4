using Bpm.Bosh;

namespace Bpm.Identity;

// One process of one job: its names, checked once, and every name and host path derived from
// them (contract §1). Commands reach a process only through this.
public sealed class ProcessRef
{
    // A file name may not exceed 255 bytes, and the lock file's name holds the encoded pair.
    public const int MaxEncodedName = 240;
    public const int MaxName = 200;

    private ProcessRef(BoshRoot root, string job, string process)
    {
        Root = root;
        Job = job;
        Process = process;
    }

    // `process` defaults to the job's name, as on every command line.
    public static ProcessRef Of(BoshRoot root, string job, string? process = null)
    {
        var name = string.IsNullOrEmpty(process) ? job : process;
        return Problem(job, name) is { } problem ? throw new BpmException(problem) : new ProcessRef(root, job, name);
    }

    // Why the pair cannot name a process; null when it can.
    public static string? Problem(string job, string process)
    {
        if ((NameProblem("job", job) ?? NameProblem("process", process)) is { } problem) return problem;
        if (ContainerIds.Encode(job + "." + process).Length > MaxEncodedName)
            return $"job and process names are too long: \"{job}\", \"{process}\"";
        return null;
    }

    // Names become path components and container IDs: anything that could climb out of a
    // directory is refused before it reaches the filesystem, and so is a job name that would make
    // one of the job's own directories a directory bpm or BOSH keeps (ReservedJobs).
    public static string? NameProblem(string kind, string name)
    {
        if (!IsValidName(name)) return $"invalid {kind} name: \"{name}\"";
        if (kind == "job" && ReservedJobs.TryGetValue(name, out var owner)) return $"invalid job name \"{name}\": it is {owner}";
        return null;
    }

    // A job's names land on ROOT/data/JOB, ROOT/store/JOB, ROOT/sys/log/JOB and ROOT/sys/run/JOB,
    // which bpm makes vcap's (and mounts writable with ephemeral_disk or persistent_disk). These
    // names would make that one of the directories beside the jobs' own that bpm or BOSH keeps
    // for itself, and hand it to the job. A process name needs no such list: every path made from
    // one lies inside its job's own directories, with a suffix of bpm's.
    private static readonly Dictionary<string, string> ReservedJobs = new(StringComparer.Ordinal)
    {
        // Every job's bundles, locks and pinned mount sources, and every job's pidfiles.
        ["bpm"] = "bpm's own (data/bpm, sys/run/bpm)",
        // runc's state of every container.
        ["bpm-runc"] = "bpm's own (sys/run/bpm-runc)",
        // bosh-agent lays these out on the ephemeral disk beside the jobs' data dirs:
        // every job's rendered templates, hooks included (jobs/JOB links there),
        ["jobs"] = "BOSH's (data/jobs)",
        // every compiled package, mounted read-only into every container,
        ["packages"] = "BOSH's (data/packages)",
        // every job's log and run dirs (sys links there),
        ["sys"] = "BOSH's (data/sys)",
        // package compilation, the agent's blob cache and its temporary files,
        ["compile"] = "BOSH's (data/compile)",
        ["blobs"] = "BOSH's (data/blobs)",
        ["tmp"] = "BOSH's (data/tmp)",
        // and the image it mounts on /tmp.
        ["root_tmp"] = "BOSH's (data/root_tmp)",
        // fsck's, at the top of the ephemeral and the persistent disk.
        ["lost+found"] = "the filesystem's (data/lost+found, store/lost+found)",
    };

    public static bool IsValidName(string name) =>
        name is not ("" or "." or "..") && !name.Contains('/') && !name.Any(char.IsControl) && name.Length <= MaxName;

    public BoshRoot Root { get; }
    public string Job { get; }
    public string Process { get; }

    // What `bpm list` shows: the job alone for its default process.
    public string Name => Job == Process ? Job : Job + "." + Process;
    public string ContainerId => ContainerIds.Prefix + ContainerIds.Encode(Name);
    // The container's cgroup: its ID under the default BOSH root. Any other root adds ".r" and 12
    // hex digits of the XXH3 hash of its path, so that the same job in two roots on one host gets
    // two cgroups: one start would otherwise reap the other's processes. "." followed by a letter
    // that is not hex cannot come out of ContainerIds.Encode, so no job's ID collides. Not SHA-256:
    // .NET computes that through OpenSSL, and loading it costs a start several milliseconds; this
    // name needs no cryptographic strength.
    public string CgroupName
    {
        get
        {
            if (Root.Path == BoshRoot.Internal) return ContainerId;
            var hash = System.IO.Hashing.XxHash3.Hash(System.Text.Encoding.UTF8.GetBytes(Root.Path));
            return ContainerId + ".r" + Convert.ToHexStringLower(hash)[..12];
        }
    }

    public string MonitCheck => Job == Process ? Job : $"{Job}-{Process}";

    public string JobDir => Root.External("jobs", Job);
    public string ConfigFile => Root.ConfigPath(Job);
    public string PackagesDir => Root.External("packages");
    public string DataPackagesDir => Root.External("data", "packages");
    public string DataDir => Root.External("data", Job);
    public string TmpDir => Root.External("data", Job, "tmp");
    public string StoreRoot => Root.External("store");
    public string StoreDir => Root.External("store", Job);
    public string LogDir => Root.External("sys", "log", Job);
    public string Stdout => Path.Join(LogDir, Process + ".stdout.log");
    public string Stderr => Path.Join(LogDir, Process + ".stderr.log");
    public string BpmLog => Path.Join(LogDir, "bpm.log");
    public string RunDir => Root.External("sys", "run", Job);
    public string PidDir => Root.External("sys", "run", "bpm", Job);
    public string PidFile => Path.Join(PidDir, Process + ".pid");
    public string PreStartMarker => Path.Join(PidDir, Process + ".pre-start");
    // Why the last container went (`bpm status`), and the memory kills already reported.
    public string ExitFile => Path.Join(PidDir, Process + ".exit");
    public string OomCountFile => Path.Join(PidDir, Process + ".oom");
    // How its containers ended (ExitHistory), the waiter of the running one ("PID STARTTIME"),
    // and whether a bpm stop is ending it.
    public string HistoryFile => Path.Join(PidDir, Process + ".ends");
    public string WaiterFile => Path.Join(PidDir, Process + ".waiter");
    public string StoppingFile => Path.Join(PidDir, Process + ".stopping");
    public string BundleDir => Root.External("data", "bpm", "bundles", Job, Process);
    public string JobBundlesDir => Root.External("data", "bpm", "bundles", Job);
    // Where the container's checked mount sources are pinned (MountStage).
    public string MountsDir => Root.External("data", "bpm", "mounts", ContainerId);
    // The pre-start hook's TMPDIR while it runs (HookTmpDir).
    public string HookTmpDir => Root.External("data", "bpm", "hooks", ContainerId);
    public string LockFile => Path.Join(Root.LocksDir, $"job-{ContainerIds.Encode(Job + "." + Process)}.lock");
}
