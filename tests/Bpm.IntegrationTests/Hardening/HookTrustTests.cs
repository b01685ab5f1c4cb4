namespace Bpm.IntegrationTests.Hardening;

/// <summary>
/// The pre_start hook runs on the host as root. A compromised job (its code in its container, as
/// vcap, writing its own log and data dirs) tries to get its code run by it: by replacing a hook
/// that lies in a directory it can write, and by planting a tool the hook calls but that is not
/// installed, where a PATH ending in "." finds it when the operator runs bpm from the job's log dir.
/// bpm runs only a hook no one but root could have put there, in "/", with root's own PATH,
/// TMPDIR and HOME; the job's code never runs as root.
/// </summary>
public sealed class HookTrustTests
{
    /// <summary>A job of two processes: JOB, whose hook is HOOK, and planter, which runs PLANT as vcap in its container.</summary>
    private static void WriteJob(BoshRoot root, string job, string hook, string plant) =>
        root.WriteJob(job, $"""
            processes:
            - name: {job}
              executable: /bin/sleep
              args: ["1000"]
              hooks: {"{"}pre_start: {hook}{"}"}
            - name: planter
              executable: /bin/sh
              args:
              - -c
              - {Yaml.Quote(plant)}
            """);

    /// <summary>A script that, run as root, records its uid in MARKER (a host path the job cannot reach).</summary>
    private static string Payload(string marker) => $"#!/bin/sh\nid -u > {marker}\n";

    /// <summary>Shell that writes PAYLOAD as the executable NAME in the job's log dir, by a rename over whatever is there.</summary>
    private static string Plant(string job, string name, string payload) => $"""
        cd /var/vcap/sys/log/{job} || exit 1
        printf '%s' {ShellQuote(payload)} > .{name}.new && chmod 755 .{name}.new && mv -f .{name}.new {name} || exit 1
        echo planted-{name}
        """;

    private static string ShellQuote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>Runs bpm from CWD, as an operator would from a shell there.</summary>
    private static CommandResult BpmIn(BoshRoot root, string cwd, params string[] args) =>
        BoshRoot.Exec("/bin/sh", ["-c", "cd \"$1\" && shift && exec \"$@\"", "sh", cwd, BoshRoot.BpmBin, .. args],
            new Dictionary<string, string> { ["BPM_BOSH_ROOT"] = root.Root }, BoshRoot.CommandTimeout).GetAwaiter().GetResult();

    private static void AssertRefused(BoshRoot root, CommandResult r, string job, string expected)
    {
        Hx.AssertCleanError(r);
        Assert.Equal($"Error: {expected}\n", r.Stderr);
        Assert.Empty(root.RuncList());
        Assert.False(File.Exists(root.PidFile(job)), "pidfile of a refused start");
        var log = File.ReadAllText(root.BpmLog(job));
        Assert.Contains("pre-start-hook-failed", log);
        Assert.DoesNotContain($"bpm.start.complete", log);
    }

    [Fact]
    public void AHookInTheJobsLogDirThatTheJobReplacedIsRefused()
    {
        using var root = new BoshRoot();
        const string job = "planted";
        var hook = root.P("sys", "log", job, "hook.sh");
        var marker = root.P("sys", "run", "ran-as-root");
        // Root's own hook, where the original's users put one: in the job's log dir.
        Hx.WriteExecutable(hook, "#!/bin/sh\necho roots-hook\n");
        WriteJob(root, job, hook, Plant(job, "hook.sh", Payload(marker)));

        var plant = root.Bpm("run", job, "-p", "planter");
        Assert.True(plant.ExitCode == 0, plant.ToString());
        Assert.Contains("planted-hook.sh", plant.Stdout);
        Assert.Equal(BoshRoot.VcapUid, BoshRoot.Stat(hook).Uid);

        var start = root.Bpm("start", job);
        AssertRefused(root, start, job, $"refusing to run pre-start hook {hook}: {root.LogDir(job)} is owned by uid {BoshRoot.VcapUid}");
        Assert.False(File.Exists(marker), "the job's code ran as root");
    }

    [Fact]
    public void AHookInADirectoryOthersMayWriteIsRefused()
    {
        using var root = new BoshRoot();
        const string job = "shared";
        var dir = root.P("shared-bin");
        var hook = Path.Combine(dir, "hook");
        var marker = root.P("sys", "run", "hook-ran");
        Hx.WriteExecutable(hook, Payload(marker));
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ff /* 0777, no sticky bit */);
        WriteJob(root, job, hook, "true");

        var start = root.Bpm("start", job);
        AssertRefused(root, start, job, $"refusing to run pre-start hook {hook}: {dir} is writable by group or others");
        Assert.False(File.Exists(marker), "the hook ran");
    }

    [Fact]
    public void AHookOthersMayWriteIsRefused()
    {
        using var root = new BoshRoot();
        const string job = "groupw";
        var hook = root.P("jobs", job, "bin", "pre-start");
        var marker = root.P("sys", "run", "hook-ran");
        WriteJob(root, job, hook, "true");
        Hx.WriteExecutable(hook, Payload(marker));
        File.SetUnixFileMode(hook, (UnixFileMode)0x1fd /* 0775 */);

        var start = root.Bpm("start", job);
        AssertRefused(root, start, job, $"refusing to run pre-start hook {hook}: {hook} is writable by group or others");
        Assert.False(File.Exists(marker), "the hook ran");
    }

    /// <summary>BOSH's layout: jobs/JOB is root's link into data/jobs/JOB/HASH, and bin/pre-start may link into a package.</summary>
    [Fact]
    public void AHookThroughRootsOwnLinksRuns()
    {
        using var root = new BoshRoot();
        const string job = "linked";
        var marker = root.P("sys", "run", "hook-ran");
        Hx.WriteExecutable(root.P("packages", "setup", "bin", "setup"), Payload(marker));
        var rendered = root.P("data", "jobs", job, "0123abcd");
        Directory.CreateDirectory(Path.Combine(rendered, "bin"));
        File.CreateSymbolicLink(Path.Combine(rendered, "bin", "pre-start"), root.P("packages", "setup", "bin", "setup"));
        WriteJob(root, job, root.P("jobs", job, "bin", "pre-start"), "true");
        // The job dir written above becomes the rendered copy, with root's link in its place.
        Directory.Move(Path.Combine(root.JobDir(job), "config"), Path.Combine(rendered, "config"));
        Directory.Delete(root.JobDir(job), recursive: true);
        File.CreateSymbolicLink(root.JobDir(job), rendered);

        root.StartRunning(job);
        Assert.Equal("0\n", File.ReadAllText(marker));
        Assert.Equal(0, root.Bpm("stop", job).ExitCode);
    }

    [Fact]
    public void AToolTheJobPlantedInItsLogDirDoesNotRunWhenBpmRunsFromThere()
    {
        using var root = new BoshRoot();
        const string job = "toolish";
        var tool = Hx.Token("bpm-missing-tool");
        var marker = root.P("sys", "run", "tool-ran-as-root");
        var evidence = root.P("sys", "run", "hook-evidence");
        var hook = root.P("jobs", job, "bin", "pre-start");
        WriteJob(root, job, hook, Plant(job, tool, Payload(marker)));
        // Root's own hook, which calls a tool the host lacks.
        Hx.WriteExecutable(hook, $"""
            #!/bin/sh
            (
              echo "cwd=$(pwd)"
              echo "PATH=$PATH"
              echo "TMPDIR=$TMPDIR"
              echo "tmpdir-stat=$(stat -c '%u %a' "$TMPDIR")"
              echo "HOME=$HOME"
              echo "home-uid=$(stat -c '%u' "$HOME")"
            ) > {evidence}
            {tool} || echo "no {tool} here"
            """);

        var plant = root.Bpm("run", job, "-p", "planter");
        Assert.True(plant.ExitCode == 0, plant.ToString());
        Assert.Equal(BoshRoot.VcapUid, BoshRoot.Stat(Path.Combine(root.LogDir(job), tool)).Uid);

        var start = BpmIn(root, root.LogDir(job), "start", job);
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.False(File.Exists(marker), "the job's planted tool ran as root");
        Assert.Contains($"no {tool} here", File.ReadAllText(root.StdoutLog(job)));

        var kv = Hx.KeyValues(File.ReadAllText(evidence));
        string One(string key) => Hx.One(kv, key, File.ReadAllText(evidence));
        Assert.Equal("/", One("cwd"));
        var path = One("PATH").Split(':');
        Assert.All(path, dir => Assert.StartsWith("/", dir));
        Assert.DoesNotContain(path, dir => dir is "" or "." || dir.Split('/').Contains(".."));
        foreach (var own in new[] { root.LogDir(job), root.P("data", job), "/var/vcap/data", "/var/vcap/sys" })
            Assert.DoesNotContain(path, dir => dir.StartsWith(own, StringComparison.Ordinal));
        Assert.Equal(root.P("data", "bpm", "hooks", BoshRoot.ContainerId(job)), One("TMPDIR"));
        Assert.Equal("0 700", One("tmpdir-stat"));
        Assert.Equal(PreStartHookTests.RootHome(), One("HOME"));
        Assert.Equal("0", One("home-uid"));

        Assert.Equal(0, root.Bpm("stop", job).ExitCode);
    }
}
