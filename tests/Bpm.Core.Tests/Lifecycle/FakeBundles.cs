using Bpm.Config;
using Bpm.Host;
using Bpm.Identity;
using Bpm.Lifecycle;

namespace Bpm.Tests.Lifecycle;

// Bundles as a set of written ones. Where a container goes now, and where a written bundle put
// it, are each scripted.
public sealed class FakeBundles(Journal journal) : IBundles
{
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    public string CurrentCgroupsPath { get; set; } = "/cg/now";
    // Null: the bundle's config.json cannot be read (or there is none).
    public string? WrittenPath { get; set; }

    public ProcessConfig? LastWritten { get; private set; }
    public MountSources? LastSources { get; private set; }

    public void Write(ProcessRef p, ProcessConfig config, UserIds vcap, MountSources sources)
    {
        journal.Note($"bundles.write {p.Name}");
        _written.Add(p.BundleDir);
        LastWritten = config;
        LastSources = sources;
    }

    public void Put(ProcessRef p) => _written.Add(p.BundleDir);

    // Gone by another's hand (a stop of the same process), unseen by the journal.
    public void Drop(ProcessRef p) => _written.Remove(p.BundleDir);

    public bool Exists(ProcessRef p)
    {
        journal.Note($"bundles.exists {p.Name}");
        return _written.Contains(p.BundleDir);
    }

    public bool Holds(ProcessRef p) => _written.Contains(p.BundleDir);

    public void Remove(ProcessRef p)
    {
        journal.Note($"bundles.remove {p.Name}");
        _written.Remove(p.BundleDir);
    }

    public IReadOnlyList<string> Environment(ProcessRef p, ProcessConfig config)
    {
        journal.Note($"bundles.environment {p.Name}");
        return ["FAKE=1"];
    }

    public string CgroupsPath(ProcessRef p)
    {
        journal.Note($"bundles.cgroupsPath {p.Name}");
        return CurrentCgroupsPath;
    }

    public string? WrittenCgroupsPath(ProcessRef p)
    {
        journal.Note($"bundles.writtenCgroupsPath {p.Name}");
        return WrittenPath;
    }
}
