namespace Bpm.Config;

// `bpm run -v PATH[:OPTS] -e KEY=VALUE`, parsed with the original's messages.
public static class RunOverrides
{
    public static Volume ParseVolume(string definition)
    {
        var parts = definition.Split(':');
        if (parts.Length > 2) throw new BpmException($"invalid volume definition (format: <path>[:<options>]): {definition}");
        bool writable = false, mountOnly = false, exec = false, shared = false;
        if (parts.Length == 2)
        {
            foreach (var option in parts[1].Split(','))
            {
                switch (option)
                {
                    case "writable": writable = true; break;
                    case "mount_only": mountOnly = true; break;
                    case "allow_executions": exec = true; break;
                    case "shared": shared = true; break;
                    default: throw new BpmException($"invalid volume option: {option}");
                }
            }
        }
        return new Volume { Path = parts[0], Writable = writable, MountOnly = mountOnly, AllowExecutions = exec, Shared = shared };
    }

    public static KeyValuePair<string, string> ParseEnv(string definition)
    {
        int eq = definition.IndexOf('=');
        if (eq <= 0) throw new BpmException($"invalid envionment variable definition (format should be KEY=value): \"{definition}\"");
        return new(definition[..eq], definition[(eq + 1)..]);
    }

    // Flags come after the file: extra volumes are appended, extra env replaces same-named keys.
    public static ProcessConfig Apply(ProcessConfig cfg, IEnumerable<Volume> volumes, IEnumerable<KeyValuePair<string, string>> env)
    {
        var extraEnv = env.ToList();
        var keys = extraEnv.Select(kv => kv.Key).ToHashSet();
        return cfg with
        {
            AdditionalVolumes = [.. cfg.AdditionalVolumes, .. volumes],
            Env = [.. cfg.Env.Where(kv => !keys.Contains(kv.Key)), .. extraEnv],
        };
    }
}
