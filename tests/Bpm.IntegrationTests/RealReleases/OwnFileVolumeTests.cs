namespace Bpm.IntegrationTests.RealReleases;

/// <summary>
/// nats-release's nats-v2-migrate (Fixtures/nats-tls.yml) is privileged and names its own job's
/// bpm.yml as a writable unrestricted volume: it rewrites that file to move the job to NATS v2.
/// The original mounts every glob match that is not the very destination of another mount, so
/// there the file is bound read-write over the read-only job dir. bpm drops a match inside a
/// directory it mounts for the job, whose options win (docs/bpm-yml.md): the migrator finds its
/// bpm.yml read-only. This pins that choice, a difference from the original that a real release
/// meets, so that changing it is a decision and not an accident.
/// </summary>
public sealed class OwnFileVolumeTests
{
    [Fact]
    public void AWritableUnrestrictedFileInsideTheJobDirStaysReadOnly()
    {
        using var root = new BoshRoot();
        var fixture = Fixture.Load("nats-tls");
        fixture.Lay(root);
        var config = root.ConfigPath(fixture.Job);
        var before = File.ReadAllText(config);
        const string process = "nats-v2-migrate";

        var pid = root.StartRunning(fixture.Job, process);
        var mounts = ContainerView.Of(pid).Mounts();
        var inside = $"/var/vcap/jobs/{fixture.Job}/config/bpm.yml";
        var r = BoshRoot.Run(BoshRoot.RuncPath, "--root", root.RuncRoot, "exec", BoshRoot.ContainerId(fixture.Job, process),
            "/bin/sh", "-c", $"test -f '{inside}' && echo '# migrated' >> '{inside}'");

        Assert.False(mounts.TryGetValue(config, out var mounted), $"the match {config} was mounted: {mounted}");
        Assert.True(r.ExitCode != 0 && r.Stderr.Contains("Read-only file system"), "the migrator's write did not meet a read-only file: " + r);
        Assert.Equal(before, File.ReadAllText(config));
        Assert.Equal(0, root.Bpm("stop", fixture.Job, "-p", process).ExitCode);
    }
}
