namespace Bpm.Config;

// One problem in a bpm.yml, with its position when it has one (line and column are 1-based).
public sealed record ConfigError(string File, long Line, long Column, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}: {Message}";
}

public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : BpmException(errors.Count > 0 ? errors[0].ToString() : "invalid config")
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
