namespace Bpm.Config;

public sealed record Volume
{
    public required string Path { get; init; }
    public bool Writable { get; init; }
    public bool AllowExecutions { get; init; }
    public bool MountOnly { get; init; }
    public bool Shared { get; init; }
    public SourcePosition At { get; init; }
}
