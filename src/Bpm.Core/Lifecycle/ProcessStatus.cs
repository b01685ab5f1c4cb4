using Bpm.Status;

namespace Bpm.Lifecycle;

// One row of `bpm list`: a configured process, a container runc knows, or both. `End`: how a
// failed one ended, when its waiter recorded it.
public sealed record ProcessStatus(string Name, string? Job, string? Process, string ContainerId, int? Pid, string Status, ProcessEnd? End = null);
