namespace Bpm.IntegrationTests.RealReleases;

/// <summary>
/// nats-release's nats-v2-migrate (Fixtures/nats-tls.yml) is privileged and names its own job's
/// bpm.yml as a writable unrestricted volume: it rewrites that file to move the job to NATS v2.
/// The original mounts every glob match that is not the very destination of another mount, so the
/// file is bound read-write over the read-only job dir.
/// </summary>
public sealed class OwnFileVolumeTests
{
    [Fact]
    public void AWritableUnrestrictedFileInsideTheJobDirCanBeWritten()
    {
        using var root = new BoshRoot();
        var fixture = Fixture.Load("nats-tls");
        fixture.Lay(root);
        var config = root.ConfigPath(fixture.Job);
        var before = File.ReadAllText(config);

        root.StartRunning(fixture.Job, "nats-v2-migrate");
        var r = BoshRoot.Run(BoshRoot.RuncPath, "--root", root.RuncRoot, "exec", BoshRoot.ContainerId(fixture.Job, "nats-v2-migrate"),
            "/bin/sh", "-c", $"echo '# migrated' >> '{config}'");

        Assert.True(r.ExitCode == 0, "the migrator could not write its job's bpm.yml: " + r);
        Assert.Equal(before + "# migrated\n", File.ReadAllText(config));
        Assert.Equal(0, root.Bpm("stop", fixture.Job, "-p", "nats-v2-migrate").ExitCode);
    }
}
