using Bpm.Bosh;
using Bpm.Identity;

namespace Bpm.Config;

// The original's checks, in its order and with its messages (contract §3), then values the
// original let through to produce a container other than the one asked for (env names,
// capabilities, limits, NUL bytes, command lines the kernel refuses to execute).
// `execTotal` is how much argv and envp may take on the host (ExecSpace), read by the caller.
public static partial class ConfigValidator
{
    // Volume paths are host paths, so they are checked against the root bpm actually uses.
    public static List<ConfigError> Validate(string file, string job, JobConfig config, string root = BoshRoot.Internal, long execTotal = ExecSpace.DefaultTotal)
    {
        var errors = new List<ConfigError>();
        // A name no job may have is the file's problem, said once rather than for each process.
        if (ProcessRef.NameProblem("job", job) is { } jobProblem)
        {
            var at = config.Processes.Count > 0 ? config.Processes[0].PositionOf("name") : default;
            errors.Add(new ConfigError(file, at.Line, at.Column, "invalid config: " + jobProblem));
        }
        foreach (var p in config.Processes)
            foreach (var (at, message) in Validate(job, p, root, execTotal))
                errors.Add(new ConfigError(file, at.Line, at.Column, message));
        return errors;
    }

    public static IEnumerable<(SourcePosition At, string Message)> Validate(string job, ProcessConfig p, string root = BoshRoot.Internal, long execTotal = ExecSpace.DefaultTotal)
    {
        if (p.Name == "") yield return (p.PositionOf("name"), "invalid config: name");
        else if (!ProcessRef.IsValidName(p.Name))
            yield return (p.PositionOf("name"), $"invalid config: name {Quote(p.Name)} cannot be used as a file name");
        else if (ProcessRef.NameProblem("job", job) is null && ProcessRef.Problem(job, p.Name) is { } problem)
            yield return (p.PositionOf("name"), "invalid config: " + problem);
        if (p.Executable == "") yield return (p.PositionOf("executable"), "invalid config: executable");
        foreach (var v in p.AdditionalVolumes)
            if (VolumeError(job, v.Path, root) is { } msg) yield return (v.At, msg);
        if (p.ShutdownSignal is not (null or "" or "TERM" or "INT"))
            yield return (p.PositionOf("shutdown_signal"), $"shutdown signal should either be 'TERM' or 'INT' (or left unspecified), but got '{p.ShutdownSignal}'");
        foreach (var (key, _) in p.Env)
            if (key == "" || key.Contains('=') || key.Contains('\0') || key.Contains('\n'))
                yield return (p.PositionOf("env"), $"invalid environment variable name: {Quote(key)}");
        foreach (var e in CapabilityErrors(p)) yield return e;
        foreach (var e in LimitErrors(p)) yield return e;
        foreach (var e in NulErrors(p)) yield return e;
        foreach (var e in ExecErrors(job, p, execTotal)) yield return e;
    }

    public static string? VolumeError(string job, string path, string root = BoshRoot.Internal)
    {
        var clean = PathText.Clean(path);
        if (clean != path) return $"volume path must be canonical, expected {clean} but got {path}";
        if (path == $"{root}/data/{job}" || path == $"{root}/store/{job}")
            return $"invalid volume path: {path} cannot conflict with default job data or store directories";
        if (!path.StartsWith(root + "/", StringComparison.Ordinal))
            return $"invalid volume path: {path} must be within {root}";
        return OwnFilesError(path, root);
    }

    // bpm runs runc and keeps its state under these; a volume there (or above them) would let a
    // job replace what bpm later runs as root, and preparing it would chown them to the job.
    private static readonly string[] BpmOwn = ["packages/bpm", "data/bpm", "sys/run/bpm", "sys/run/bpm-runc"];
    // BOSH lays these out read-only for every job.
    private static readonly string[] BoshReadOnly = ["jobs", "packages"];

    private static string? OwnFilesError(string path, string root)
    {
        foreach (var own in BpmOwn)
        {
            var dir = System.IO.Path.Join(root, own);
            if (PathText.IsWithin(path, dir) || PathText.IsWithin(dir, path))
                return $"invalid volume path: {path} cannot contain or be within bpm's own directory {dir}";
        }
        foreach (var tree in BoshReadOnly)
        {
            var dir = System.IO.Path.Join(root, tree);
            if (PathText.IsWithin(path, dir))
                return $"invalid volume path: {path} cannot be within {dir}, which BOSH manages";
        }
        return null;
    }

    private static string Quote(string s) => "\"" + System.Text.Json.JsonEncodedText.Encode(s).Value + "\"";
}
