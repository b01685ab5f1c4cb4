using YamlDotNet.RepresentationModel;

namespace Bpm.IntegrationTests.RealReleases;

/// <summary>A volume as a fixture asks for it (an unrestricted glob is kept as written).</summary>
public sealed record FixtureVolume(string Path, bool Writable, bool AllowExecutions, bool MountOnly, bool Shared);

/// <summary>What one process of a fixture asks of its container, read from the rendered bpm.yml.</summary>
public sealed class FixtureProcess
{
    public required string Job { get; init; }
    public required string Name { get; init; }
    public required string Executable { get; init; }
    public required IReadOnlyList<string> Args { get; init; }
    public required IReadOnlyList<(string Key, string Value)> Env { get; init; }
    public required IReadOnlyList<string> Capabilities { get; init; }
    public long? Memory { get; init; }
    public long? OpenFiles { get; init; }
    public long? Processes { get; init; }
    public bool EphemeralDisk { get; init; }
    public bool PersistentDisk { get; init; }
    public string? Hook { get; init; }
    public string? WorkDir { get; init; }
    public string ShutdownSignal { get; init; } = "TERM";
    public bool Privileged { get; init; }
    public bool HostPidNamespace { get; init; }
    public required IReadOnlyList<FixtureVolume> Volumes { get; init; }
    public required IReadOnlyList<FixtureVolume> Unrestricted { get; init; }

    /// <summary>bpm's name for the process on the command line (-p).</summary>
    public string[] StartArgs(string verb) => [verb, Job, "-p", Name];

    /// <summary>Whether tini's child is the stand-in itself (not a shell running it).</summary>
    public bool ExecutesStandIn => Executable.StartsWith("/var/vcap/", StringComparison.Ordinal);

    /// <summary>Internal paths (/var/vcap/...) that need a stand-in: the executable, or the script a shell runs with -c.</summary>
    public IEnumerable<string> StandInPaths
    {
        get
        {
            if (Executable.StartsWith("/var/vcap/", StringComparison.Ordinal))
            {
                yield return Executable;
            }
            if (Executable is "/bin/sh" or "/bin/bash" && Args.Count >= 2 && Args[0] == "-c")
            {
                var script = Args[1].Split(' ')[0];
                if (script.StartsWith("/var/vcap/", StringComparison.Ordinal))
                {
                    yield return script;
                }
            }
        }
    }

    public static IReadOnlyList<FixtureProcess> Parse(string yaml, string job)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var top = (YamlMappingNode)stream.Documents[0].RootNode;
        var list = (YamlSequenceNode)top["processes"];
        return list.Children.Cast<YamlMappingNode>().Select(p => FromNode(p, job)).ToList();
    }

    private static FixtureProcess FromNode(YamlMappingNode p, string job)
    {
        var limits = Map(p, "limits");
        var unsafeNode = Map(p, "unsafe");
        var hooks = Map(p, "hooks");
        return new FixtureProcess
        {
            Job = job,
            Name = Text(p, "name")!,
            Executable = Text(p, "executable")!,
            Args = Seq(p, "args").Select(n => ((YamlScalarNode)n).Value!).ToList(),
            Env = Map(p, "env")?.Children.Select(kv => (((YamlScalarNode)kv.Key).Value!, ((YamlScalarNode)kv.Value).Value!)).ToList() ?? [],
            Capabilities = Seq(p, "capabilities").Select(n => ((YamlScalarNode)n).Value!).ToList(),
            Memory = Text(limits, "memory") is { } m ? Size(m) : null,
            OpenFiles = Text(limits, "open_files") is { } o ? long.Parse(o) : null,
            Processes = Text(limits, "processes") is { } n ? long.Parse(n) : null,
            EphemeralDisk = Flag(p, "ephemeral_disk"),
            PersistentDisk = Flag(p, "persistent_disk"),
            Hook = Text(hooks, "pre_start"),
            WorkDir = Text(p, "workdir"),
            ShutdownSignal = Text(p, "shutdown_signal") ?? "TERM",
            Privileged = Flag(unsafeNode, "privileged"),
            HostPidNamespace = Flag(unsafeNode, "host_pid_namespace"),
            Volumes = ReadVolumes(Seq(p, "additional_volumes")),
            Unrestricted = ReadVolumes(unsafeNode is null ? [] : Seq(unsafeNode, "unrestricted_volumes")),
        };
    }

    private static List<FixtureVolume> ReadVolumes(IEnumerable<YamlNode> nodes) =>
        nodes.Cast<YamlMappingNode>().Select(v => new FixtureVolume(Text(v, "path")!, Flag(v, "writable"),
            Flag(v, "allow_executions"), Flag(v, "mount_only"), Flag(v, "shared"))).ToList();

    private static YamlNode? Child(YamlMappingNode? m, string key) =>
        m is not null && m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private static YamlMappingNode? Map(YamlMappingNode? m, string key) => Child(m, key) as YamlMappingNode;
    private static string? Text(YamlMappingNode? m, string key) => (Child(m, key) as YamlScalarNode)?.Value;
    private static bool Flag(YamlMappingNode? m, string key) => Text(m, key) == "true";
    private static IEnumerable<YamlNode> Seq(YamlMappingNode m, string key) => (Child(m, key) as YamlSequenceNode)?.Children ?? [];

    private static long Size(string s)
    {
        var unit = s.TrimStart("0123456789".ToCharArray()).ToUpperInvariant().TrimEnd('B');
        var number = long.Parse(s[..(s.Length - s.TrimStart("0123456789".ToCharArray()).Length)]);
        return number * unit switch
        {
            "" => 1L,
            "K" => 1L << 10,
            "M" => 1L << 20,
            "G" => 1L << 30,
            "T" => 1L << 40,
            _ => throw new FormatException("size " + s),
        };
    }

    public override string ToString() => $"{Job}/{Name}";
}
