namespace Bpm.Host;

// What the host prepared for a process's mounts, for its spec: every pinned source (host path →
// staging path, see MountStage) and what each `unsafe.unrestricted_volumes` pattern matched when
// its matches were pinned, so that the spec mounts exactly those.
public sealed record MountSources(IReadOnlyDictionary<string, string> Staged, IReadOnlyDictionary<string, IReadOnlyList<string>> Globs);
