using Bpm.Bosh;
using Bpm.Config;

namespace Bpm.Lifecycle;

public static class JobLoader
{
    // Job and process names become path components and container IDs; anything that could
    // climb out of a directory is refused before it reaches the filesystem.
    public static void CheckName(string kind, string name)
    {
        if (name is "" or "." or ".." || name.Contains('/') || name.Any(char.IsControl) || name.Length > 200)
            throw new BpmException($"invalid {kind} name: \"{name}\"");
    }

    public const int MaxEncodedName = 240;

    public static JobConfig LoadConfig(BoshRoot root, string job)
    {
        CheckName("job", job);
        var file = root.ConfigPath(job);
        var (config, errors) = ConfigParser.ParseFile(file);
        if (config is null) throw new ConfigException(errors);
        var invalid = ConfigValidator.Validate(file, job, config, root.Path, Host.StackLimit.ExecTotal());
        if (invalid.Count > 0) throw new ConfigException(invalid);
        return config;
    }

    // The paths of one process from its names alone, for the commands that need no config.
    public static JobPaths PathsFor(BoshRoot root, string job, string? process)
    {
        CheckName("job", job);
        var name = string.IsNullOrEmpty(process) ? job : process;
        CheckName("process", name);
        // The lock file's name holds the encoded pair; a file name may not exceed 255 bytes.
        if (Identity.ContainerId.Encode(job + "." + name).Length > MaxEncodedName)
            throw new BpmException($"job and process names are too long: \"{job}\", \"{name}\"");
        return new JobPaths(root, job, name);
    }

    public static JobProcess Load(BoshRoot root, string job, string? process)
    {
        var paths = PathsFor(root, job, process);
        var config = LoadConfig(root, job);
        return new JobProcess(paths, Find(config, paths));
    }

    public static ProcessConfig Find(JobConfig config, JobPaths paths) =>
        config.Find(paths.Process)
        ?? throw new BpmException($"process \"{paths.Process}\" not present in job configuration ({paths.ConfigFile})");
}
