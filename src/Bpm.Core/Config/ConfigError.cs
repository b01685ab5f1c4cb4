namespace Bpm.Config;

// One problem in a bpm.yml, with its position when it has one (line and column are 1-based).
// A warning is something bpm accepts but that probably does not do what the author meant.
public sealed record ConfigError(string File, long Line, long Column, string Message)
{
    public bool Warning { get; init; }

    public override string ToString()
    {
        var message = Warning ? "warning: " + Message : Message;
        return Line > 0 ? $"{File}:{Line}:{Column}: {message}" : $"{File}: {message}";
    }
}

public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : BpmException(errors.Count > 0 ? errors[0].ToString() : "invalid config")
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
