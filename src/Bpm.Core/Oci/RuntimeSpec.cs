using System.Text.Json.Serialization;

namespace Bpm.Oci;

// The subset of the OCI runtime spec (config.json) that bpm generates.
// Property names follow runtime-spec v1.0.2; nulls are omitted on write.
public sealed record RuntimeSpec
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; init; } = "1.0.2-dev";
    [JsonPropertyName("process")] public required Process Process { get; init; }
    [JsonPropertyName("root")] public required Root Root { get; init; }
    [JsonPropertyName("mounts")] public IReadOnlyList<Mount> Mounts { get; init; } = [];
    [JsonPropertyName("linux")] public required Linux Linux { get; init; }
}

public sealed record Process
{
    [JsonPropertyName("terminal")] public bool Terminal { get; init; }
    [JsonPropertyName("user")] public required User User { get; init; }
    [JsonPropertyName("args")] public required IReadOnlyList<string> Args { get; init; }
    [JsonPropertyName("env")] public IReadOnlyList<string> Env { get; init; } = [];
    [JsonPropertyName("cwd")] public required string Cwd { get; init; }
    [JsonPropertyName("capabilities")] public Capabilities? Capabilities { get; init; }
    [JsonPropertyName("rlimits")] public IReadOnlyList<Rlimit>? Rlimits { get; init; }
    [JsonPropertyName("noNewPrivileges")] public bool NoNewPrivileges { get; init; }
}

public sealed record User
{
    [JsonPropertyName("uid")] public uint Uid { get; init; }
    [JsonPropertyName("gid")] public uint Gid { get; init; }
}

public sealed record Capabilities
{
    [JsonPropertyName("bounding")] public IReadOnlyList<string> Bounding { get; init; } = [];
    [JsonPropertyName("effective")] public IReadOnlyList<string> Effective { get; init; } = [];
    [JsonPropertyName("inheritable")] public IReadOnlyList<string> Inheritable { get; init; } = [];
    [JsonPropertyName("permitted")] public IReadOnlyList<string> Permitted { get; init; } = [];
    [JsonPropertyName("ambient")] public IReadOnlyList<string> Ambient { get; init; } = [];
}

public sealed record Rlimit(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("hard")] ulong Hard,
    [property: JsonPropertyName("soft")] ulong Soft);

public sealed record Root
{
    [JsonPropertyName("path")] public required string Path { get; init; }
    [JsonPropertyName("readonly")] public bool Readonly { get; init; }
}

public sealed record Mount
{
    [JsonPropertyName("destination")] public required string Destination { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("source")] public required string Source { get; init; }
    [JsonPropertyName("options")] public IReadOnlyList<string>? Options { get; init; }
}

public sealed record Linux
{
    [JsonPropertyName("resources")] public Resources? Resources { get; init; }
    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; init; }
    [JsonPropertyName("namespaces")] public IReadOnlyList<Namespace> Namespaces { get; init; } = [];
    [JsonPropertyName("seccomp")] public Seccomp? Seccomp { get; init; }
    [JsonPropertyName("rootfsPropagation")] public string? RootfsPropagation { get; init; }
    [JsonPropertyName("maskedPaths")] public IReadOnlyList<string>? MaskedPaths { get; init; }
    [JsonPropertyName("readonlyPaths")] public IReadOnlyList<string>? ReadonlyPaths { get; init; }
}

public sealed record Namespace([property: JsonPropertyName("type")] string Type);

public sealed record Resources
{
    [JsonPropertyName("memory")] public MemoryLimits? Memory { get; init; }
    [JsonPropertyName("pids")] public PidsLimit? Pids { get; init; }
}

// 0 is "not set" here and in errnoRet: plain numbers rather than nullable ones, because the
// generated writer handles plain ones itself, while a nullable one costs the serializer's
// metadata at every start. Neither is ever 0 when set (bpm.yml sizes are positive).
public sealed record MemoryLimits
{
    [JsonPropertyName("limit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long Limit { get; init; }
    [JsonPropertyName("swap"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long Swap { get; init; }
}

public sealed record PidsLimit([property: JsonPropertyName("limit")] long Limit);

public sealed record Seccomp
{
    [JsonPropertyName("defaultAction")] public required string DefaultAction { get; init; }
    [JsonPropertyName("architectures")] public IReadOnlyList<string> Architectures { get; init; } = [];
    [JsonPropertyName("syscalls")] public IReadOnlyList<SyscallRule> Syscalls { get; init; } = [];
}

public sealed record SyscallRule
{
    [JsonPropertyName("names")] public required IReadOnlyList<string> Names { get; init; }
    [JsonPropertyName("action")] public required string Action { get; init; }
    [JsonPropertyName("errnoRet"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public uint ErrnoRet { get; init; }
    [JsonPropertyName("args")] public IReadOnlyList<SyscallArg>? Args { get; init; }
}

public sealed record SyscallArg
{
    [JsonPropertyName("index")] public uint Index { get; init; }
    [JsonPropertyName("value")] public ulong Value { get; init; }
    [JsonPropertyName("valueTwo")] public ulong ValueTwo { get; init; }
    [JsonPropertyName("op")] public required string Op { get; init; }
}
