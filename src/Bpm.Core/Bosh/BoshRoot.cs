namespace Bpm.Bosh;

// The directory BOSH lays a VM out under. Inside a container it is always /var/vcap;
// on the host it is BPM_BOSH_ROOT when set (tests use a throwaway dir).
public sealed record BoshRoot(string Path)
{
    public const string Internal = "/var/vcap";

    public static BoshRoot FromEnvironment()
    {
        var env = Environment.GetEnvironmentVariable("BPM_BOSH_ROOT");
        return new BoshRoot(string.IsNullOrEmpty(env) ? Internal : System.IO.Path.TrimEndingDirectorySeparator(env));
    }

    public string External(params string[] parts) => System.IO.Path.Join([Path, .. parts]);

    public string RuncRoot => External("sys", "run", "bpm-runc");
    public string JobsDir => External("jobs");
    public string RuncPath => External("packages", "bpm", "bin", "runc");
    public string TiniInternal => "/var/vcap/packages/bpm/bin/tini";
    public string LocksDir => External("data", "bpm", "locks");

    public string ConfigPath(string job) => External("jobs", job, "config", "bpm.yml");

    // Maps a host path under this root to the path a container sees.
    public string ToInternal(string external)
    {
        if (external == Path) return Internal;
        var prefix = Path.EndsWith('/') ? Path : Path + "/";
        return external.StartsWith(prefix, StringComparison.Ordinal)
            ? Internal + "/" + external[prefix.Length..]
            : external;
    }
}
