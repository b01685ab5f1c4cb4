namespace Bpm.IntegrationTests.RealReleases;

/// <summary>
/// nats-release's nats-v2-migrate (Fixtures/nats-tls.yml) is privileged and names its own job's
/// bpm.yml as a writable unrestricted volume: it rewrites that file to move the job to NATS v2.
/// As the original does, bpm mounts every glob match that is not the very destination of another
/// mount, so the file is bound read-write over the read-only job dir, at its host path (on a BOSH
/// VM, /var/vcap/jobs/nats-tls/config/bpm.yml), and the migrator can rewrite it.
/// </summary>
public sealed class OwnFileVolumeTests
{
    [Fact]
    public void AWritableUnrestrictedFileInsideTheJobDirIsWritable()
    {
        using var root = new BoshRoot();
        var fixture = Fixture.Load("nats-tls");
        fixture.Lay(root);
        var config = root.ConfigPath(fixture.Job);
        var before = File.ReadAllText(config);
        const string process = "nats-v2-migrate";

        var pid = root.StartRunning(fixture.Job, process);
        var mounts = ContainerView.Of(pid).Mounts();
        var r = BoshRoot.Run(BoshRoot.RuncPath, "--root", root.RuncRoot, "exec", BoshRoot.ContainerId(fixture.Job, process),
            "/bin/sh", "-c", $"test -f '{config}' && echo '# migrated' >> '{config}'");

        Assert.True(mounts.ContainsKey(config), $"the match {config} was not mounted");
        Assert.True(r.ExitCode == 0, "the migrator could not rewrite its bpm.yml: " + r);
        Assert.Equal(before + "# migrated\n", File.ReadAllText(config));
        Assert.Equal(0, root.Bpm("stop", fixture.Job, "-p", process).ExitCode);
    }
}
