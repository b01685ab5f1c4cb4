namespace Bpm.IntegrationTests.RealReleases;

/// <summary>
/// The fixtures together stand for enough public releases and show every shape of bpm.yml that
/// releases use: removing or trimming a fixture must not quietly drop one.
/// </summary>
public sealed class FixtureCoverageTests
{
    // What each volume and each glob match is on the host once the fixture is laid (a volume
    // path that does not exist yet is a directory bpm makes).
    private sealed record Source(MountKind Kind, bool FromGlob);

    private sealed record Laid(Fixture Fixture, IReadOnlyList<FixtureProcess> Processes, IReadOnlyList<Source> Sources);

    private static readonly (string Shape, Func<Laid, bool> Shown)[] Shapes =
    [
        ("several processes", f => f.Processes.Count > 1),
        ("a process not named like its job", f => f.Processes.Any(p => p.Name != p.Job)),
        ("a volume that is a single file", f => f.Sources.Any(m => m.Kind == MountKind.File)),
        ("a volume that is a socket", f => f.Sources.Any(m => m.Kind == MountKind.Socket)),
        ("a glob", f => f.Processes.Any(p => p.Unrestricted.Any(v => v.Path.IndexOfAny(['*', '?']) >= 0))),
        ("a glob matching files", f => f.Sources.Any(m => m.FromGlob && m.Kind == MountKind.File)),
        ("a glob matching directories", f => f.Sources.Any(m => m.FromGlob && m.Kind == MountKind.Directory)),
        ("a writable volume", f => f.Processes.Any(p => p.Volumes.Any(v => v.Writable))),
        ("a read-only volume", f => f.Processes.Any(p => p.Volumes.Any(v => !v.Writable))),
        ("mount_only", f => f.Processes.Any(p => p.Volumes.Concat(p.Unrestricted).Any(v => v.MountOnly))),
        ("allow_executions", f => f.Processes.Any(p => p.Volumes.Concat(p.Unrestricted).Any(v => v.AllowExecutions))),
        ("shared", f => f.Processes.Any(p => p.Volumes.Any(v => v.Shared))),
        ("capabilities", f => f.Processes.Any(p => p.Capabilities.Count > 0)),
        ("limits.memory", f => f.Processes.Any(p => p.Memory is not null)),
        ("limits.open_files", f => f.Processes.Any(p => p.OpenFiles is not null)),
        ("env", f => f.Processes.Any(p => p.Env.Count > 0)),
        ("env overriding bpm's defaults", f => f.Processes.Any(p => p.Env.Any(kv => kv.Key is "HOME" or "PATH" or "LANG" or "TMPDIR"))),
        ("a pre_start hook", f => f.Processes.Any(p => p.Hook is not null)),
        ("ephemeral_disk", f => f.Processes.Any(p => p.EphemeralDisk)),
        ("persistent_disk", f => f.Processes.Any(p => p.PersistentDisk)),
        ("shutdown_signal INT", f => f.Processes.Any(p => p.ShutdownSignal == "INT")),
        ("unsafe.privileged", f => f.Processes.Any(p => p.Privileged)),
        ("unsafe.host_pid_namespace", f => f.Processes.Any(p => p.HostPidNamespace)),
        ("unsafe.unrestricted_volumes", f => f.Processes.Any(p => p.Unrestricted.Count > 0)),
        ("an executable that is a job script", f => f.Processes.Any(p => p.Executable.StartsWith("/var/vcap/jobs/", StringComparison.Ordinal))),
        ("a shell running a job script", f => f.Processes.Any(p => p.Executable is "/bin/sh" or "/bin/bash")),
    ];

    [Fact]
    public void TheFixturesStandForEightReleasesAndShowEveryShape()
    {
        var laid = new List<Laid>();
        var roots = new List<BoshRoot>();
        try
        {
            foreach (var name in Fixture.Names())
            {
                var root = new BoshRoot();
                roots.Add(root);
                var fixture = Fixture.Load(name);
                var processes = fixture.Lay(root);
                var sources = processes.SelectMany(p => p.Volumes.Select(v =>
                        new Source(Path.Exists(v.Path) ? ExpectedMount.KindOf(v.Path) : MountKind.Directory, FromGlob: false))
                    .Concat(p.Unrestricted.SelectMany(v => ExpectedMount.Expand(v.Path).Select(match =>
                        new Source(ExpectedMount.KindOf(match, follow: true), FromGlob: v.Path.IndexOfAny(['*', '?']) >= 0)))))
                    .ToList();
                laid.Add(new Laid(fixture, processes, sources));
            }
        }
        finally
        {
            roots.ForEach(r => r.Dispose());
        }

        var releases = laid.Select(f => f.Fixture.Release).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(releases.Count >= 8, "the fixtures stand for only " + string.Join(", ", releases));
        var missing = Shapes.Where(s => !laid.Any(s.Shown)).Select(s => s.Shape).ToList();
        Assert.True(missing.Count == 0, "no fixture shows: " + string.Join(", ", missing));
    }
}
