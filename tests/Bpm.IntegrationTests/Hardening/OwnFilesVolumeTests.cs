namespace Bpm.IntegrationTests.Hardening;

/// <summary>
/// A volume over bpm's own files (its runc and tini, its bundles and locks, its pidfiles, runc's
/// state) or over BOSH's read-only trees is refused by start, run and validate, and nothing there
/// changes owner or mode. A read-only volume never takes over a directory that already exists.
/// </summary>
public sealed class OwnFilesVolumeTests
{
    [Theory]
    [InlineData("packages/bpm/bin", "")]
    [InlineData("packages/bpm/bin", ":writable")]
    [InlineData("packages/bpm", "")]
    [InlineData("packages", "")]
    [InlineData("packages/other", "")]
    [InlineData("data/bpm", ":writable")]
    [InlineData("data", "")]
    [InlineData("sys", ":writable")]
    [InlineData("sys/run", "")]
    [InlineData("sys/run/bpm", "")]
    [InlineData("sys/run/bpm-runc", ":writable")]
    [InlineData("jobs/other", "")]
    [InlineData("jobs", "")]
    public void VolumesOverBpmsOwnFilesAreRefused(string relative, string options)
    {
        using var root = new BoshRoot();
        var path = root.P(relative.Split('/'));
        Directory.CreateDirectory(path);
        Directory.CreateDirectory(root.P("packages", "other"));
        Directory.CreateDirectory(root.P("jobs", "other"));
        var bin = root.P("packages", "bpm", "bin");
        var watched = new[] { bin, path, root.P("data"), root.P("sys"), root.P("packages") };
        var before = watched.Select(BoshRoot.Stat).ToList();

        root.WriteShellJob("flag", "echo should-not-run");
        var run = root.Bpm("run", "flag", "-v", path + options);
        Hx.AssertCleanError(run, "invalid volume path");
        Assert.DoesNotContain("should-not-run", run.Stdout);

        var writable = options == ":writable" ? "true" : "false";
        root.WriteJob("own", $$"""
            processes:
            - name: own
              executable: /bin/true
              additional_volumes:
              - {path: {{path}}, writable: {{writable}}}
            """);
        Hx.AssertCleanError(root.Bpm("start", "own"), "invalid volume path");
        var validate = root.Bpm("validate", "own");
        Assert.True(validate.ExitCode == 1 && validate.Stderr.Contains("invalid volume path"), validate.ToString());

        Assert.Equal(before, watched.Select(BoshRoot.Stat).ToList());
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void AReadOnlyVolumeLeavesAnExistingDirectoryAlone()
    {
        using var root = new BoshRoot();
        var existing = root.P("data", "ro-existing");
        Directory.CreateDirectory(existing);
        File.SetUnixFileMode(existing, BoshRoot.Mode755);
        File.WriteAllText(Path.Combine(existing, "f"), "content\n");
        var missing = root.P("data", "ro-missing");
        var writable = root.P("data", "rw-existing");
        Directory.CreateDirectory(writable);
        File.SetUnixFileMode(writable, BoshRoot.Mode755);

        root.WriteShellJob("ro", $"cat {existing}/f");
        var r = root.Bpm("run", "ro", "-v", existing, "-v", missing, "-v", writable + ":writable");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("content", r.Stdout);

        Assert.Equal((0, 0, "755"), BoshRoot.Stat(existing));
        Assert.Equal((BoshRoot.VcapUid, BoshRoot.VcapGid, "700"), BoshRoot.Stat(missing));
        Assert.Equal((BoshRoot.VcapUid, BoshRoot.VcapGid, "700"), BoshRoot.Stat(writable));
    }
}
