namespace Bpm.IntegrationTests.BeyondTests;

/// <summary>
/// `bpm validate` warnings (unknown keys, settings that do nothing) and `--strict`; values that start
/// and run refuse because the container would differ from the one asked for, or never run.
/// </summary>
public sealed class ValidateStrictTests
{
    private const string Typo = """
        processes:
        - name: web
          executable: /bin/true
          ephemeral_disc: true
        """;

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static void AssertRefusedWithoutContainer(BoshRoot root, CommandResult r, string job, string expected)
    {
        Assert.True(r.ExitCode == 1, r.ToString());
        var line = Assert.Single(Lines(r.Stderr));
        Assert.StartsWith("Error: ", line);
        Assert.Contains(expected, line);
        Assert.Empty(root.RuncList());
        Assert.False(File.Exists(root.PidFile(job)), "a pid file was written");
        Assert.False(Directory.Exists(root.BundleDir(job)), "a bundle was written");
    }

    // bpm with a lower stack size limit, as a VM could set it: the room for a new program's
    // arguments and environment is a quarter of it, at least 128 KiB.
    private static CommandResult BpmWithStack(BoshRoot root, int stackKiB, params string[] args) =>
        BoshRoot.Exec("/bin/sh", ["-c", $"ulimit -s {stackKiB} && exec \"$0\" \"$@\"", BoshRoot.BpmBin, .. args],
            new Dictionary<string, string> { ["BPM_BOSH_ROOT"] = root.Root }, BoshRoot.CommandTimeout).GetAwaiter().GetResult();

    [Fact]
    public void AnUnknownKeyIsAWarningAndValidatePasses()
    {
        using var root = new BoshRoot();
        var path = root.WriteJob("web", Typo);

        var r = root.Bpm("validate", "web");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"{path}:4:3: warning: unknown key 'ephemeral_disc' (did you mean ephemeral_disk?)\n", r.Stderr);
        Assert.Equal($"{path}: ok, 1 warning\n", r.Stdout);
    }

    [Fact]
    public void StrictFailsOnWarnings()
    {
        using var root = new BoshRoot();
        var path = root.WriteJob("web", Typo);

        var r = root.Bpm("validate", "--strict", "web");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Equal($"{path}:4:3: warning: unknown key 'ephemeral_disc' (did you mean ephemeral_disk?)\n", r.Stderr);
        Assert.Equal("", r.Stdout);

        var file = root.Bpm("validate", "--strict", "--file", path);
        Assert.True(file.ExitCode == 1, file.ToString());
    }

    [Fact]
    public void StrictPassesAFileWithoutWarnings()
    {
        using var root = new BoshRoot();
        var path = root.WriteSleepJob("fine");

        var r = root.Bpm("validate", "--strict", "fine");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"{path}: ok\n", r.Stdout);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public void UnknownKeysAtEveryLevel()
    {
        using var root = new BoshRoot();
        // Volume paths are host paths under the root bpm uses.
        var path = root.WriteJob("levels", $$"""
            proceses: []
            processes:
            - name: levels
              executable: /bin/true
              limit: {memory: 1G}
              limits:
                memroy: 1G
              hooks:
                prestart: /bin/true
              unsafe:
                privilegd: true
                unrestricted_volumes:
                - path: {{root.Root}}/data/u
                  writeable: true
              additional_volumes:
              - path: {{root.Root}}/data/v
                colour: blue
            """);

        var r = root.Bpm("validate", "levels");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
        [
            $"{path}:1:1: warning: unknown key 'proceses' at the top level (did you mean processes?)",
            $"{path}:5:3: warning: unknown key 'limit' (did you mean limits?)",
            $"{path}:7:5: warning: unknown key 'memroy' in limits (did you mean memory?)",
            $"{path}:9:5: warning: unknown key 'prestart' in hooks (did you mean pre_start?)",
            $"{path}:11:5: warning: unknown key 'privilegd' in unsafe (did you mean privileged?)",
            $"{path}:14:7: warning: unknown key 'writeable' in unsafe.unrestricted_volumes (did you mean writable?)",
            $"{path}:17:5: warning: unknown key 'colour' in additional_volumes",
        ], Lines(r.Stderr));
        Assert.Equal($"{path}: ok, 7 warnings\n", r.Stdout);
    }

    [Fact]
    public void ErrorsKeepTheirFormatBesideWarnings()
    {
        using var root = new BoshRoot();
        var path = root.WriteJob("mixed", """
            processes:
            - name: mixed
              executable: /bin/true
              shutdown_signal: KILL
              ephemeral_disc: true
            """);

        var r = root.Bpm("validate", "mixed");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Equal(
        [
            $"{path}:4:3: shutdown signal should either be 'TERM' or 'INT' (or left unspecified), but got 'KILL'",
            $"{path}:5:3: warning: unknown key 'ephemeral_disc' (did you mean ephemeral_disk?)",
        ], Lines(r.Stderr));
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void NoProcessLimitIsAWarning()
    {
        using var root = new BoshRoot();
        var path = root.WriteJob("pids", "processes:\n- name: pids\n  executable: /bin/true\n  limits: {processes: 0}\n");

        var r = root.Bpm("validate", "pids");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"{path}:4:3: warning: limits.processes: 0 sets no limit at all (the runtime treats 0 as unlimited)\n", r.Stderr);
        Assert.True(root.Bpm("validate", "--strict", "pids").ExitCode == 1);
    }

    [Fact]
    public void StartStillAcceptsUnknownKeys()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("typo", "ephemeral_disc: true\nlimit: {memory: 1M}");

        root.StartRunning("typo");
        var stop = root.Bpm("stop", "typo");
        Assert.True(stop.ExitCode == 0, stop.ToString());
    }

    [Fact]
    public void StartRefusesAMegabyteEnvValue()
    {
        using var root = new BoshRoot();
        var path = root.WriteSleepJob("big", "env:\n  BIG: " + new string('x', 1_000_000));

        var r = root.Bpm("start", "big");
        AssertRefusedWithoutContainer(root, r, "big",
            $"{path}:5:3: environment variable \"BIG\" (as BIG=VALUE) is 1000004 bytes, more than the 131071 the kernel accepts in one argument or environment string");

        var v = root.Bpm("validate", "big");
        Assert.True(v.ExitCode == 1, v.ToString());
        Assert.Contains("is 1000004 bytes", v.Stderr);
    }

    [Theory]
    [InlineData("start", "capabilities: [CAP_NET_ADMIN]", "invalid capability: \"CAP_NET_ADMIN\" (write NET_ADMIN: bpm adds the CAP_ prefix itself)")]
    [InlineData("run", "capabilities: [ALL]", "invalid capability: \"ALL\"")]
    [InlineData("start", "limits: {open_files: 0}", "limits.open_files: 0 leaves the process no file descriptors")]
    [InlineData("run", "args: [\"a\\0b\"]", "args[0] contains a NUL byte")]
    public void StartAndRunRefuseValuesThatChangeTheContainer(string command, string yaml, string expected)
    {
        using var root = new BoshRoot();
        root.WriteJob("bad", $"processes:\n- name: bad\n  executable: /bin/true\n  {yaml}\n");

        AssertRefusedWithoutContainer(root, root.Bpm(command, "bad"), "bad", expected);
    }

    [Fact]
    public void TheTotalFollowsTheStackLimit()
    {
        using var root = new BoshRoot();
        // Two 70 KB variables: each string fits, together they need more than 128 KiB.
        root.WriteSleepJob("pair", $"env:\n  A: {new string('a', 70_000)}\n  B: {new string('b', 70_000)}");

        var roomy = BpmWithStack(root, 8192, "validate", "pair");
        Assert.True(roomy.ExitCode == 0, roomy.ToString());

        var tight = BpmWithStack(root, 512, "validate", "pair");
        Assert.True(tight.ExitCode == 1, tight.ToString());
        Assert.Contains("more than the 131072 the kernel accepts for a new program", tight.Stderr);

        AssertRefusedWithoutContainer(root, BpmWithStack(root, 512, "start", "pair"), "pair", "more than the 131072 the kernel accepts");
    }

    [Fact]
    public void RunChecksItsEnvOverrides()
    {
        using var root = new BoshRoot();
        root.WriteJob("over", $"processes:\n- name: over\n  executable: /bin/true\n  env:\n    A: {new string('a', 70_000)}\n");

        var alone = BpmWithStack(root, 512, "validate", "over");
        Assert.True(alone.ExitCode == 0, alone.ToString());

        var r = BpmWithStack(root, 512, "run", "over", "-e", "B=" + new string('b', 70_000));
        AssertRefusedWithoutContainer(root, r, "over", "the command line and environment of the process come to");
    }
}
