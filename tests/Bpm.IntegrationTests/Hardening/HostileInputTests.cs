using System.Diagnostics;
using System.Text;

namespace Bpm.IntegrationTests.Hardening;

/// <summary>
/// Hostile names, volume paths, environment and bpm.yml files. Each gets a clear one-line error
/// (stderr "Error: ...", no stack trace, non-zero exit) or works correctly; none hangs, and
/// nothing is ever written outside the BOSH root.
/// </summary>
public sealed class HostileInputTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static CommandResult Bpm(BoshRoot root, params string[] args)
    {
        var sw = Stopwatch.StartNew();
        var r = Hx.BpmWithin(root, Deadline, args);
        Assert.False(r.TimedOut, $"bpm {string.Join(' ', args)} took longer than {Deadline.TotalSeconds} s: {r}");
        Assert.True(sw.Elapsed < Deadline, $"bpm {string.Join(' ', args)} took {sw.Elapsed}");
        return r;
    }

    // ------------------------------------------------------------ names

    public static TheoryData<string> BadJobNames => new()
    {
        "a/b",
        "..",
        ".",
        "../../etc",
        "/etc",
        "jobs/../../x",
        new string('j', 300),
    };

    [Theory]
    [MemberData(nameof(BadJobNames))]
    public void BadJobNamesAreRefusedByEveryCommand(string job)
    {
        using var root = new BoshRoot();
        var token = Hx.Token("hostile");
        var watch = new EscapeWatch(root, token);
        // A config where the name would lead, in case bpm went looking there.
        root.WriteSleepJob("real");
        foreach (var command in new[] { "start", "stop", "run", "pid", "status", "logs" })
        {
            var r = Bpm(root, command, job);
            Hx.AssertCleanError(r);
        }
        Assert.Empty(root.RuncList());
        watch.AssertNothingEscaped();
    }

    public static TheoryData<string> BadProcessNames => new()
    {
        "a/b",
        "..",
        ".",
        "../../../x",
        new string('p', 300),
    };

    [Theory]
    [MemberData(nameof(BadProcessNames))]
    public void BadProcessNamesAreRefused(string process)
    {
        using var root = new BoshRoot();
        var watch = new EscapeWatch(root);
        root.WriteJob("job", $"""
            processes:
            - name: {Yaml.Quote(process)}
              executable: /bin/sleep
              args: ["1000"]
            """);
        foreach (var command in new[] { "start", "run", "stop" })
        {
            Hx.AssertCleanError(Bpm(root, command, "job", "-p", process));
        }
        Hx.AssertSuccessOrCleanError(Bpm(root, "list"));
        Assert.Empty(root.RuncList());
        watch.AssertNothingEscaped();
    }

    public static TheoryData<string, string> OddButValidNames => new()
    {
        { "with space", "a process" },
        { "jöb✓", "prözess→" },
        { "-dash", "-p" },
        { "dots.in.name", "x.y" },
        { new string('j', 100), new string('p', 100) },
    };

    [Theory]
    [MemberData(nameof(OddButValidNames))]
    public void OddNamesWorkEndToEnd(string job, string process)
    {
        using var root = new BoshRoot();
        var watch = new EscapeWatch(root);
        root.WriteJob(job, $"""
            processes:
            - name: {Yaml.Quote(process)}
              executable: /bin/sleep
              args: ["1000"]
            """);
        var start = Bpm(root, "start", job, "-p", process);
        Assert.True(start.ExitCode == 0, start.ToString());
        var id = BoshRoot.ContainerId(job, process);
        BoshRoot.WaitFor(() => root.RuncStatus(id) == "running", $"{id} running");
        Assert.Equal([id], root.RuncList());

        var list = Bpm(root, "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        var pid = root.ReadPidFile(job, process);
        Assert.Contains($"{job}.{process} {pid} running", string.Join(' ', list.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal(pid + "\n", Bpm(root, "pid", job, "-p", process).Stdout);
        Assert.True(File.Exists(root.StdoutLog(job, process)));

        var stop = Bpm(root, "stop", job, "-p", process);
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Empty(root.RuncList());
        watch.AssertNothingEscaped();
    }

    [Fact]
    public void ControlCharactersInNamesAreRefusedOrListedOnOneLine()
    {
        using var root = new BoshRoot();
        root.WriteJob("ctl", """
            processes:
            - name: "two\nlines"
              executable: /bin/sleep
              args: ["1000"]
            """);
        var start = Bpm(root, "start", "ctl", "-p", "two\nlines");
        if (start.ExitCode != 0)
        {
            Hx.AssertCleanError(start);
            return;
        }
        var list = Bpm(root, "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        // One header and one row: a line per process.
        Assert.Equal(2, list.Stdout.TrimEnd('\n').Split('\n').Length);
    }

    // ------------------------------------------------------------ volumes

    [Fact]
    public void VolumePathsThatClimbOutAreRefused()
    {
        using var root = new BoshRoot();
        var watch = new EscapeWatch(root);
        var r = root.Root;
        foreach (var path in new[]
                 {
                     $"{r}/data/../../../etc", $"{r}/data/vol/..", $"{r}/./data/vol", $"{r}/data//vol",
                     $"{r}/data/vol/", r.TrimStart('/') + "/data/vol", "/etc/cron.d", "/", $"{r}/..",
                 })
        {
            root.WriteJob("vol", $"""
                processes:
                - name: vol
                  executable: /bin/true
                  additional_volumes:
                  - path: {Yaml.Quote(path)}
                    writable: true
                """);
            Hx.AssertCleanError(Bpm(root, "start", "vol"));
            root.WriteShellJob("flag", "echo should-not-run");
            var run = Bpm(root, "run", "flag", "-v", path + ":writable");
            Hx.AssertCleanError(run);
            Assert.DoesNotContain("should-not-run", run.Stdout);
        }
        Assert.Empty(root.RuncList());
        Assert.False(File.Exists("/etc/cron.d/vol"));
        watch.AssertNothingEscaped();
    }

    [Fact]
    public void VolumePathThroughASymlinkIsRefused()
    {
        using var root = new BoshRoot();
        using var victim = new Victim();
        var watch = new EscapeWatch(root);
        Directory.CreateDirectory(root.P("data"));
        File.CreateSymbolicLink(root.P("data", "link"), victim.Dir);
        foreach (var path in new[] { root.P("data", "link"), root.P("data", "link", "sub") })
        {
            root.WriteJob("vol", $$"""
                processes:
                - name: vol
                  executable: /bin/true
                  additional_volumes:
                  - {path: {{path}}, writable: true}
                """);
            Hx.AssertCleanError(Bpm(root, "start", "vol"), "symlink");
            root.WriteShellJob("flag", "echo should-not-run");
            Hx.AssertCleanError(Bpm(root, "run", "flag", "-v", path + ":writable"), "symlink");
        }
        victim.AssertUntouched();
        Assert.Empty(root.RuncList());
        watch.AssertNothingEscaped();
    }

    [Fact]
    public void AGlobMatchingThousandsOfPathsFailsOrWorksQuickly()
    {
        using var root = new BoshRoot();
        var many = root.P("data", "many");
        Directory.CreateDirectory(many);
        for (var i = 0; i < 5000; i++)
        {
            File.WriteAllText(Path.Combine(many, $"f{i:D4}"), "");
        }
        root.WriteShellJob("glob", "echo ran", $"""
            unsafe:
              unrestricted_volumes:
              - path: {many}/*
            """);
        var run = Bpm(root, "run", "glob");
        Hx.AssertSuccessOrCleanError(run);
        var start = Bpm(root, "start", "glob");
        Hx.AssertSuccessOrCleanError(start);
        // Either way nothing is left mounted or running once the job is stopped.
        Hx.AssertSuccessOrCleanError(Bpm(root, "stop", "glob"));
        Assert.Empty(root.RuncList());
        Assert.Empty(BoshRoot.MountsUnder(root.Root));
    }

    // ------------------------------------------------------------ environment

    public static TheoryData<string> BadEnvKeys => new() { "A=B", "A\nB", "", "A\0B" };

    [Theory]
    [MemberData(nameof(BadEnvKeys))]
    public void BadEnvKeysInTheConfigAreRefused(string key)
    {
        using var root = new BoshRoot();
        root.WriteShellJob("envk", "echo should-not-run", $"env: {{{Yaml.Quote(key)}: value}}");
        foreach (var command in new[] { "start", "run" })
        {
            var r = Bpm(root, command, "envk");
            Hx.AssertCleanError(r);
            Assert.DoesNotContain("should-not-run", r.Stdout);
        }
        Assert.Empty(root.RuncList());
    }

    [Theory]
    [InlineData("A\nB=1")]
    [InlineData("=value")]
    public void BadEnvFlagsAreRefused(string flag)
    {
        using var root = new BoshRoot();
        root.WriteShellJob("envf", "echo should-not-run");
        var r = Bpm(root, "run", "envf", "-e", flag);
        Hx.AssertCleanError(r);
        Assert.DoesNotContain("should-not-run", r.Stdout);
    }

    [Fact]
    public void EnvValuesWithEqualsAndNewlinesArePassedIntact()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("envv", """printf '%s|' "$A" "$B" "$C" """, "env: {C: \"x=y\\nz\"}");
        var r = Bpm(root, "run", "envv", "-e", "A=1=2", "-e", "B=line1\nline2");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("1=2|line1\nline2|x=y\nz|", r.Stdout);
    }

    // ------------------------------------------------------------ hostile bpm.yml

    private static string AliasBomb(string use) => $"""
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        {use}
        """;

    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    public static TheoryData<string> HostileConfigNames =>
    [
        "huge", "huge-scalar", "deep-flow", "deep-block", "deep-aliased", "alias-bomb-args", "alias-bomb-processes",
        "alias-bomb-env", "alias-bomb-key", "wrong-types", "wrong-types-2", "wrong-top-level", "duplicate-key",
        "duplicate-top-key", "duplicate-process", "binary-garbage", "empty", "whitespace", "nul-bytes",
        "invalid-utf8", "tabs", "tags", "many-documents", "unclosed-flow", "unclosed-quote", "huge-numbers",
        "negative-limits", "many-processes", "long-key",
    ];

    private static byte[] HostileConfig(string name) => name switch
    {
        "huge" => Text("processes:\n- name: hostile\n  executable: /bin/true\n  args:\n" +
                       string.Concat(Enumerable.Repeat("  - \"" + new string('x', 40) + "\"\n", 2 * 1024 * 1024 / 48))),
        "huge-scalar" => Text("processes:\n- name: hostile\n  executable: /bin/true\n  args: [\"" + new string('x', 900_000) + "\"]\n"),
        "deep-flow" => Text("processes: " + new string('[', 100_000) + new string(']', 100_000) + "\n"),
        "deep-block" => Text("processes:\n- name: hostile\n  executable: /bin/true\n  env:\n" +
                             string.Concat(Enumerable.Range(0, 500).Select(i => new string(' ', 4 + i) + $"k{i}:\n")) +
                             new string(' ', 504) + "x: y\n"),
        "deep-aliased" => Text("x: &x " + new string('[', 60) + new string(']', 60) + "\nprocesses: [*x, *x, *x]\n"),
        "alias-bomb-args" => Text(AliasBomb("processes:\n- name: hostile\n  executable: /bin/true\n  args: *i\n")),
        "alias-bomb-processes" => Text(AliasBomb("processes: *i\n")),
        "alias-bomb-env" => Text(AliasBomb("processes:\n- name: hostile\n  executable: /bin/true\n  env: {A: *i}\n")),
        "alias-bomb-key" => Text(AliasBomb("processes:\n- name: hostile\n  executable: /bin/true\n  env: {*i : x}\n")),
        "wrong-types" => Text("""
            processes:
            - name: [hostile]
              executable: {a: b}
              args: {a: b}
              env: [x, y]
              limits: {memory: lots, processes: -1, open_files: 1.5}
              capabilities: ALL
              ephemeral_disk: maybe
              additional_volumes: /var/vcap/data/x
              hooks: [pre_start]
              unsafe: yes
            """),
        "wrong-types-2" => Text("""
            processes:
            - name: hostile
              executable: /bin/true
              limits: [1, 2]
              unsafe: {privileged: "true", unrestricted_volumes: {path: /}}
              additional_volumes: [/var/vcap/data/x, {path: [a]}]
              shutdown_signal: [TERM]
            """),
        "wrong-top-level" => Text("- processes\n- name: hostile\n"),
        "duplicate-key" => Text("processes:\n- name: hostile\n  executable: /bin/true\n  executable: /bin/false\n"),
        "duplicate-top-key" => Text("processes: []\nprocesses:\n- name: hostile\n  executable: /bin/true\n"),
        "duplicate-process" => Text("processes:\n- name: hostile\n  executable: /bin/true\n- name: hostile\n  executable: /bin/false\n"),
        "binary-garbage" => RandomBytes(4096, seed: 5),
        "empty" => [],
        "whitespace" => Text("  \n\n\t\n   \n"),
        "nul-bytes" => [0, 0, 0, 0, (byte)'\n', 0],
        "invalid-utf8" => [.. Text("processes:\n- name: hostile\n  executable: /bin/true\n  args: [\""), 0xff, 0xfe, 0xc3, 0x28, .. Text("\"]\n")],
        "tabs" => Text("processes:\n-\tname: hostile\n\texecutable: /bin/true\n"),
        "tags" => Text("processes:\n- !!map\n  name: !!binary aG9zdGlsZQ==\n  executable: !ruby/object:Gem::Installer /bin/true\n  args: [!!int 3, !!float .inf, !!null ~]\n"),
        "many-documents" => Text(string.Concat(Enumerable.Repeat("---\nprocesses: []\n", 20_000))),
        "unclosed-flow" => Text("processes: [{name: hostile, executable: /bin/true\n"),
        "unclosed-quote" => Text("processes:\n- name: \"hostile\n  executable: /bin/true\n"),
        "huge-numbers" => Text("processes:\n- name: hostile\n  executable: /bin/true\n  limits: {memory: 99999999999999999999T, processes: 99999999999999999999999, open_files: 1e400, core_file_size: 0x7fffffffffffffffffff}\n"),
        "negative-limits" => Text("processes:\n- name: hostile\n  executable: /bin/true\n  limits: {memory: -1G, processes: -5, open_files: -1, core_file_size: -1}\n"),
        "many-processes" => Text("processes:\n" + string.Concat(Enumerable.Range(0, 10_000).Select(i => $"- {{name: p{i}, executable: /bin/true}}\n")) +
                                 "- {name: hostile, executable: /bin/true}\n"),
        "long-key" => Text("processes:\n- name: hostile\n  executable: /bin/true\n  " + new string('k', 500_000) + ": v\n"),
        _ => throw new ArgumentException(name),
    };

    private static byte[] RandomBytes(int n, int seed)
    {
        var bytes = new byte[n];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(HostileConfigNames))]
    public void HostileConfigIsRefusedOrWorks(string name)
    {
        using var root = new BoshRoot();
        var watch = new EscapeWatch(root);
        root.WriteJob("hostile", "");
        File.WriteAllBytes(root.ConfigPath("hostile"), HostileConfig(name));

        foreach (var command in new[] { "start", "stop", "pid", "status" })
        {
            var r = Bpm(root, command, "hostile");
            Hx.AssertSuccessOrCleanError(r);
            if (r.ExitCode != 0 && command is "start" or "stop")
            {
                Assert.Contains("bpm.yml", r.Stderr);
            }
        }
        // `run` copies the job's own stderr too: only bpm's last line must be an Error.
        var run = Bpm(root, "run", "hostile");
        Hx.AssertNoStackTrace(run);
        Assert.True(run.ExitCode == 0 || run.Stderr.TrimEnd('\n').Split('\n')[^1].StartsWith("Error: "), run.ToString());
        // list reports an invalid config on stderr, one line, and carries on.
        var list = Bpm(root, "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Hx.AssertNoStackTrace(list);
        Assert.All(list.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.StartsWith("invalid config for hostile: ", l));

        Hx.AssertSuccessOrCleanError(Bpm(root, "stop", "hostile"));
        Assert.Empty(root.RuncList());
        watch.AssertNothingEscaped();
    }
}
