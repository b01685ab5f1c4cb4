namespace Bpm.Config;

// Where a value was written in bpm.yml (1-based); zero when it came from elsewhere (e.g. `run -v`).
public readonly record struct SourcePosition(long Line, long Column);
