namespace Bpm.Config;

public sealed record Limits
{
    // Bytes, already parsed from a size such as "1G".
    public long? Memory { get; init; }
    public ulong? OpenFiles { get; init; }
    public long? Processes { get; init; }
    public ulong? CoreFileSize { get; init; }
}
