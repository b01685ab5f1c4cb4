namespace Bpm.Config;

public sealed record ProcessConfig
{
    public string Name { get; init; } = "";
    public string Executable { get; init; } = "";
    public IReadOnlyList<string> Args { get; init; } = [];
    // Ordered as written, so the generated spec is stable.
    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];
    public string? WorkDir { get; init; }
    public string? PreStart { get; init; }
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    public Limits Limits { get; init; } = new();
    public bool EphemeralDisk { get; init; }
    public bool PersistentDisk { get; init; }
    public IReadOnlyList<Volume> AdditionalVolumes { get; init; } = [];
    public UnsafeConfig Unsafe { get; init; } = new();
    public string? ShutdownSignal { get; init; }
    public SourcePosition At { get; init; }
    // Where each key of the process's mapping was written, for error positions.
    public IReadOnlyDictionary<string, SourcePosition> KeyPositions { get; init; } = new Dictionary<string, SourcePosition>();

    public SourcePosition PositionOf(string key) => KeyPositions.TryGetValue(key, out var at) ? at : At;
}
