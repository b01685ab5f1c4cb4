using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Bpm.Bosh;
using Bpm.Identity;
using Bpm.Config;
using Bpm.Host;
using Bpm.Oci;
using Bpm.Spec;
using Xunit;
using Xunit.Abstractions;

namespace Bpm.Tests;

// Random mutations of valid bpm.yml files (fixed seeds, so every failure reproduces): the parser
// and validator never throw, and every file they accept builds a spec that serializes and holds
// up: absolute, distinct mount destinations; tini first; no negative limits.
public class ConfigFuzzTests(ITestOutputHelper output)
{
    private const string File = "/var/vcap/jobs/web/config/bpm.yml";
    private const string Job = "web";
    private const string Tini = "/var/vcap/packages/bpm/bin/tini";
    private const int Iterations = 2000;

    private static readonly string[] Seeds =
    [
        """
        processes:
        - name: web
          executable: /var/vcap/packages/web/bin/web
        """,
        """
        processes:
        - name: web
          executable: /var/vcap/packages/web/bin/web
          args: [--port, "2424", --config, /var/vcap/jobs/web/config/web.yml]
          env:
            FOO: BAR
            LANG: C.UTF-8
            ENABLED: true
          workdir: /var/vcap/data/web/work
          hooks:
            pre_start: /var/vcap/jobs/web/bin/setup
          capabilities: [NET_BIND_SERVICE, SYS_TIME]
          limits:
            memory: 1G
            open_files: 1024
            processes: 10
            core_file_size: 0
          ephemeral_disk: true
          persistent_disk: true
          additional_volumes:
          - path: /var/vcap/data/sockets
            writable: true
          - path: /var/vcap/data/plugins
            allow_executions: true
          - path: /var/vcap/store/shared
            writable: true
            allow_executions: true
            mount_only: true
            shared: true
          shutdown_signal: INT
        """,
        """
        processes:
        - name: web
          executable: /var/vcap/packages/web/bin/web
          unsafe:
            host_pid_namespace: true
            unrestricted_volumes:
            - path: /var/vcap/jobs/*/config/indicators.yml
            - path: /etc/ssl
              allow_executions: true
            - path: /var/vcap/sys/log/*
              writable: true
        - name: worker
          executable: /var/vcap/packages/web/bin/worker
          args: [work]
          limits: {memory: 512M, processes: 100}
        """,
        """
        processes:
        - name: web
          executable: /var/vcap/packages/web/bin/web
          args: [--debug]
          capabilities: [NET_ADMIN]
          ephemeral_disk: true
          additional_volumes:
          - {path: /var/vcap/data/sockets, writable: true, allow_executions: false, mount_only: false, shared: false}
          unsafe:
            privileged: true
        """,
        """
        defaults: &defaults
          executable: /var/vcap/packages/web/bin/web
        processes:
        - name: web
          executable: /var/vcap/packages/web/bin/web
          env: {A: "1", B: '2', C: ~}
          args: &args ["a", 'b', c]
        - name: web2
          executable: "/var/vcap/packages/web/bin/web"
          args: *args
        """,
    ];

    // Characters YAML gives meaning to, and some it should never see.
    private const string Alphabet = ":-[]{},&*!|>'\"#%@`?\n \t\\/.0123456789abcXYZ~=\u00e9\u2603\u0000\u0007\uffff";

    private static readonly string[] Values =
    [
        "[a, b]", "{x: y}", "\"\"", "''", "123", "-1", "0", "1.5", "true", "false", "null", "~", "yes", "0x10",
        "&anchor x", "*anchor", "!!binary AAAA", "!!str 5", "!!int x", "|\n  block", ">\n  folded",
        new string('x', 300), "1G", "1T", "9999999999999999999T", "-5M", "0B", "1K", "/var/vcap/data/x/../y",
        "/var/vcap/data/web", "/var/vcap/store/web", "/var/vcap", "/etc", "relative", ".", "..", "a/b",
        "\"a\\nb\"", "\"A=B\"", "TERM", "INT", "KILL", "[]", "{}", "- x", "[[[[[]]]]]", "{a: {b: {c: d}}}",
        "/var/vcap/jobs/*/config/*", "/var/vcap/data/*", "*", "/*",
    ];

    private static readonly string[] Lines =
    [
        "- name: extra", "  executable: /bin/true", "processes:", "  - path: /var/vcap/data/v", "    writable: true",
        "  additional_volumes:", "  - {path: /var/vcap/data/sub/vol}", "  unsafe: {privileged: true}",
        "  unsafe: {unrestricted_volumes: [{path: /var/vcap/data/*}]}", "  limits: {memory: 1G}", "<<: *defaults",
        "---", "...", "%YAML 1.1", "# comment", "  env: {\"\": x}", "  env: {\"A=B\": x}", "  name: web",
        "  - name: web", "  capabilities: [ALL]", "  shutdown_signal: INT", "  hooks: {pre_start: x}", "? complex",
        "  args: [*args, *args]", "x: &a [*a]", "  ephemeral_disc: true", "  limits: {open_files: 0, processes: 0}",
        "  capabilities: [CAP_NET_ADMIN, net_admin]", "  env: {A: \"x\\0y\"}", "  <<: {name: x}",
    ];

    private static string Mutate(string text, Random r)
    {
        var rounds = r.Next(1, 5);
        for (var i = 0; i < rounds; i++)
        {
            var lines = text.Split('\n').ToList();
            switch (r.Next(10))
            {
                case 0: // insert characters
                    text = text.Insert(r.Next(text.Length + 1), new string(Alphabet[r.Next(Alphabet.Length)], r.Next(1, 3)));
                    break;
                case 1: // delete characters
                    if (text.Length > 0)
                    {
                        var at = r.Next(text.Length);
                        text = text.Remove(at, Math.Min(r.Next(1, 4), text.Length - at));
                    }
                    break;
                case 2: // duplicate a run of characters
                    if (text.Length > 0)
                    {
                        var at = r.Next(text.Length);
                        var len = Math.Min(r.Next(1, 20), text.Length - at);
                        text = text.Insert(at, text.Substring(at, len));
                    }
                    break;
                case 3: // delete a line
                    lines.RemoveAt(r.Next(lines.Count));
                    text = string.Join('\n', lines);
                    break;
                case 4: // duplicate a line
                    {
                        var at = r.Next(lines.Count);
                        lines.Insert(at, lines[at]);
                        text = string.Join('\n', lines);
                    }
                    break;
                case 5: // swap two lines
                    {
                        int a = r.Next(lines.Count), b = r.Next(lines.Count);
                        (lines[a], lines[b]) = (lines[b], lines[a]);
                        text = string.Join('\n', lines);
                    }
                    break;
                case 6: // swap a value for one of another type
                case 7:
                    {
                        var at = r.Next(lines.Count);
                        var colon = lines[at].IndexOf(": ", StringComparison.Ordinal);
                        if (colon >= 0)
                        {
                            lines[at] = lines[at][..(colon + 2)] + Values[r.Next(Values.Length)];
                        }
                        else if (lines[at].TrimStart().StartsWith("- ", StringComparison.Ordinal))
                        {
                            lines[at] = lines[at][..(lines[at].IndexOf('-') + 2)] + Values[r.Next(Values.Length)];
                        }
                        text = string.Join('\n', lines);
                    }
                    break;
                case 8: // indent or dedent a line
                    {
                        var at = r.Next(lines.Count);
                        lines[at] = r.Next(2) == 0 ? new string(' ', r.Next(1, 3)) + lines[at] : lines[at].TrimStart();
                        text = string.Join('\n', lines);
                    }
                    break;
                default: // insert a line
                    lines.Insert(r.Next(lines.Count + 1), Lines[r.Next(Lines.Length)]);
                    text = string.Join('\n', lines);
                    break;
            }
        }
        return text;
    }

    private static SpecContext Context(string process) => new()
    {
        Paths = ProcessRef.Of(new BoshRoot("/var/vcap"), Job, process),
        Vcap = new UserIds(2000, 3000),
        Features = new HostFeatures(SwapLimit: true, Systemd: false),
        Cgroups = new CgroupLayout(CgroupVersion.V2, false, "/", new Dictionary<string, string>()),
        DirectoryExists = d => d is "/bin" or "/etc" or "/lib" or "/lib64" or "/sbin" or "/usr",
        // Globs as the host would expand them: a plain absolute path matches itself, a pattern a few paths.
        Glob = pattern => !pattern.StartsWith('/') ? []
            : pattern.AsSpan().IndexOfAny("*?[") < 0 ? [pattern]
            : [pattern.Replace("*", "one").Replace("?", "x"), pattern.Replace("*", "two").Replace("?", "y")],
    };

    private static readonly string[] SystemDirs = ["/bin", "/etc", "/lib", "/lib64", "/sbin", "/usr"];

    // Problems with the spec built for an accepted config; empty when it is sound.
    private static IEnumerable<string> SpecProblems(JobConfig config, ProcessConfig p)
    {
        var spec = SpecBuilder.Build(p, Context(p.Name));
        var json = JsonSerializer.Serialize(spec, OciJson.Default.RuntimeSpec);
        using (JsonDocument.Parse(json))
        {
        }
        if (spec.Process.Args.Count < 5 || spec.Process.Args[0] != Tini)
            yield return $"process.args does not start with tini: {string.Join(' ', spec.Process.Args)}";
        else if (spec.Process.Args[4] != p.Executable)
            yield return $"process.args[4] is not the executable: {spec.Process.Args[4]}";
        foreach (var m in spec.Mounts)
        {
            if (!m.Destination.StartsWith('/')) yield return $"mount destination not absolute: '{m.Destination}'";
        }
        foreach (var dup in spec.Mounts.GroupBy(m => m.Destination).Where(g => g.Count() > 1))
            yield return $"duplicate mount destination: {dup.Key}";
        if (p.Unsafe.UnrestrictedVolumes.Count == 0)
        {
            foreach (var m in spec.Mounts.Where(m => m.Type == "bind"))
            {
                if (!SystemDirs.Contains(m.Destination) && !PathText.IsWithin(m.Destination, "/var/vcap/") && m.Destination is not ("/tmp" or "/var/tmp"))
                    yield return $"bind mount outside /var/vcap without unrestricted volumes: {m.Destination}";
            }
        }
        if (spec.Linux.Resources?.Memory is { } mem && (mem.Limit < 0 || mem.Swap < 0))
            yield return $"negative memory limit: {mem.Limit}/{mem.Swap}";
        if (spec.Linux.Resources?.Pids is { } pids && pids.Limit < 0)
            yield return $"negative pids limit: {pids.Limit}";
        if (!p.Unsafe.Privileged && (!spec.Process.NoNewPrivileges || spec.Linux.Seccomp is null || spec.Process.User.Uid == 0))
            yield return "an unprivileged process lost no_new_privs, seccomp or its user";
        if (!p.Unsafe.Privileged && spec.Process.Capabilities is { } caps && caps.Effective.Count > 0)
            yield return "effective capabilities for an unprivileged process";
        if (config.Processes.Count == 0)
            yield return "accepted a config without processes";
    }

    // `bpm validate` reads partial configs and asks for warnings as well.
    private static void ValidateAsTheCommandDoes(string text)
    {
        var read = ConfigParser.Read(File, text, partial: true);
        if (read.Config is null) return;
        ConfigValidator.Validate(File, Job, read.Config);
        ConfigValidator.Warnings(File, read.Config);
    }

    [Fact]
    public void MutatedConfigsNeverThrowAndAcceptedOnesBuildSoundSpecs()
    {
        var failures = new List<string>();
        int accepted = 0, rejected = 0, specs = 0;
        var slowest = TimeSpan.Zero;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < Iterations; i++)
        {
            // One seed per iteration, so a failure names the exact input.
            var random = new Random(1000 + i);
            var text = Mutate(Seeds[random.Next(Seeds.Length)], random);
            var sw = Stopwatch.StartNew();
            try
            {
                var (config, errors) = ConfigParser.Parse(File, text);
                ValidateAsTheCommandDoes(text);
                if (config is null)
                {
                    Assert.NotEmpty(errors);
                    rejected++;
                    continue;
                }
                var invalid = ConfigValidator.Validate(File, Job, config);
                if (errors.Count > 0 || invalid.Count > 0)
                {
                    rejected++;
                    continue;
                }
                accepted++;
                foreach (var p in config.Processes)
                {
                    specs++;
                    foreach (var problem in SpecProblems(config, p))
                        failures.Add($"iteration {i} (seed {1000 + i}), process {JsonSerializer.Serialize(p.Name)}: {problem}\n{text}");
                }
            }
            catch (Exception e)
            {
                failures.Add($"iteration {i} (seed {1000 + i}): {e.GetType().Name}: {e.Message}\n{text}");
            }
            finally
            {
                if (sw.Elapsed > slowest) slowest = sw.Elapsed;
            }
        }
        output.WriteLine($"{Iterations} mutations: {accepted} accepted ({specs} specs built), {rejected} rejected, " +
                         $"{failures.Count} failures; slowest {slowest.TotalMilliseconds:0} ms, total {total.Elapsed.TotalSeconds:0.0} s");
        Assert.True(failures.Count == 0, $"{failures.Count} failures; the first:\n" + string.Join("\n----\n", failures.Take(3)));
        // The mutations must leave enough files valid to exercise the spec builder.
        Assert.True(accepted >= Iterations / 20, $"only {accepted} of {Iterations} mutations were accepted");
        // Times are reported above, not asserted: the machines are shared, and a parse that blows
        // up (an alias bomb, deep nesting) is refused by the size and depth checks, tested apart.
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var failures = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var random = new Random(5000 + i);
            var bytes = new byte[random.Next(0, 2048)];
            random.NextBytes(bytes);
            // Mostly printable noise with YAML punctuation, some raw bytes.
            var text = i % 3 == 0
                ? Encoding.UTF8.GetString(bytes)
                : new string(bytes.Select(b => Alphabet[b % Alphabet.Length]).ToArray());
            try
            {
                var (config, errors) = ConfigParser.Parse(File, text);
                if (config is null) Assert.NotEmpty(errors);
                else ConfigValidator.Validate(File, Job, config);
                ValidateAsTheCommandDoes(text);
            }
            catch (Exception e)
            {
                failures.Add($"iteration {i} (seed {5000 + i}): {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(5)));
    }
}
