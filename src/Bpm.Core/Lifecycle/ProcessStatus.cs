namespace Bpm.Lifecycle;

// One row of `bpm list`: a configured process, a container runc knows, or both.
public sealed record ProcessStatus(string Name, string? Job, string? Process, string ContainerId, int? Pid, string Status);
