using Bpm.Identity;

namespace Bpm.Bosh;

// Every host path bpm touches for one process of one job (contract §1).
public sealed record JobPaths(BoshRoot Root, string Job, string Process)
{
    public string ContainerId => Identity.ContainerId.For(Job, Process);

    public string JobDir => Root.External("jobs", Job);
    public string ConfigFile => Root.ConfigPath(Job);
    public string PackagesDir => Root.External("packages");
    public string DataPackagesDir => Root.External("data", "packages");
    public string DataDir => Root.External("data", Job);
    public string TmpDir => Root.External("data", Job, "tmp");
    public string StoreRoot => Root.External("store");
    public string StoreDir => Root.External("store", Job);
    public string LogDir => Root.External("sys", "log", Job);
    public string Stdout => System.IO.Path.Join(LogDir, Process + ".stdout.log");
    public string Stderr => System.IO.Path.Join(LogDir, Process + ".stderr.log");
    public string BpmLog => System.IO.Path.Join(LogDir, "bpm.log");
    public string RunDir => Root.External("sys", "run", Job);
    public string PidDir => Root.External("sys", "run", "bpm", Job);
    public string PidFile => System.IO.Path.Join(PidDir, Process + ".pid");
    public string PreStartMarker => System.IO.Path.Join(PidDir, Process + ".pre-start");
    public string BundleDir => Root.External("data", "bpm", "bundles", Job, Process);
    public string JobBundlesDir => Root.External("data", "bpm", "bundles", Job);
    public string LockFile => System.IO.Path.Join(Root.LocksDir, $"job-{Identity.ContainerId.Encode(Job + "." + Process)}.lock");
}
