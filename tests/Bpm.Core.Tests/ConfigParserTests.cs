using Bpm.Config;
using Xunit;

namespace Bpm.Tests;

public class ConfigParserTests
{
    private const string File = "/var/vcap/jobs/server/config/bpm.yml";

    private static JobConfig ParseOk(string yaml)
    {
        var (config, errors) = ConfigParser.Parse(File, yaml);
        Assert.Empty(errors);
        Assert.NotNull(config);
        return config;
    }

    private static IReadOnlyList<ConfigError> ParseErrors(string yaml)
    {
        var (config, errors) = ConfigParser.Parse(File, yaml);
        Assert.Null(config);
        Assert.NotEmpty(errors);
        return errors;
    }

    // Runs Parse on its own thread and fails the test instead of hanging it.
    private static (JobConfig? Config, IReadOnlyList<ConfigError> Errors) ParseWithin(string yaml, TimeSpan timeout)
    {
        var task = Task.Run(() => ConfigParser.Parse(File, yaml));
        Assert.True(task.Wait(timeout), $"Parse did not finish within {timeout}");
        return task.Result;
    }

    private const string Full = """
        processes:
        - name: server
          executable: /var/vcap/packages/server/bin/serve
          args: [--port, "2424"]
          env: {FOO: BAR, BAZ: qux}
          workdir: /var/vcap/jobs/server
          hooks: {pre_start: /var/vcap/jobs/server/bin/setup}
          capabilities: [NET_BIND_SERVICE, SYS_TIME]
          limits: {memory: 1G, open_files: 1024, processes: 10, core_file_size: 0}
          ephemeral_disk: true
          persistent_disk: true
          additional_volumes:
          - {path: /var/vcap/data/sockets, writable: true, allow_executions: false, mount_only: false, shared: false}
          - path: /var/vcap/data/other
            writable: false
            allow_executions: true
            mount_only: true
            shared: true
          unsafe:
            privileged: false
            host_pid_namespace: true
            unrestricted_volumes: [{path: /var/vcap/jobs/*/config/indicators.yml}]
          shutdown_signal: INT
        - name: worker
          executable: /var/vcap/packages/server/bin/work
        """;

    [Fact]
    public void FullConfigParsesIntoEveryField()
    {
        var config = ParseOk(Full);
        Assert.Equal(2, config.Processes.Count);
        var p = config.Processes[0];
        Assert.Equal("server", p.Name);
        Assert.Equal("/var/vcap/packages/server/bin/serve", p.Executable);
        Assert.Equal(["--port", "2424"], p.Args);
        Assert.Equal([new("FOO", "BAR"), new("BAZ", "qux")], p.Env);
        Assert.Equal("/var/vcap/jobs/server", p.WorkDir);
        Assert.Equal("/var/vcap/jobs/server/bin/setup", p.PreStart);
        Assert.Equal(["NET_BIND_SERVICE", "SYS_TIME"], p.Capabilities);
        Assert.Equal(1L << 30, p.Limits.Memory);
        Assert.Equal(1024UL, p.Limits.OpenFiles);
        Assert.Equal(10L, p.Limits.Processes);
        Assert.Equal(0UL, p.Limits.CoreFileSize);
        Assert.True(p.EphemeralDisk);
        Assert.True(p.PersistentDisk);

        Assert.Equal(2, p.AdditionalVolumes.Count);
        var v0 = p.AdditionalVolumes[0];
        Assert.Equal("/var/vcap/data/sockets", v0.Path);
        Assert.True(v0.Writable);
        Assert.False(v0.AllowExecutions);
        Assert.False(v0.MountOnly);
        Assert.False(v0.Shared);
        Assert.Equal(new SourcePosition(13, 5), v0.At);
        var v1 = p.AdditionalVolumes[1];
        Assert.Equal("/var/vcap/data/other", v1.Path);
        Assert.False(v1.Writable);
        Assert.True(v1.AllowExecutions);
        Assert.True(v1.MountOnly);
        Assert.True(v1.Shared);
        Assert.Equal(new SourcePosition(14, 5), v1.At);

        Assert.False(p.Unsafe.Privileged);
        Assert.True(p.Unsafe.HostPidNamespace);
        var uv = Assert.Single(p.Unsafe.UnrestrictedVolumes);
        Assert.Equal("/var/vcap/jobs/*/config/indicators.yml", uv.Path);
        Assert.Equal("INT", p.ShutdownSignal);
        Assert.Equal(new SourcePosition(2, 3), p.At);

        var w = config.Processes[1];
        Assert.Equal("worker", w.Name);
        Assert.Equal(new SourcePosition(24, 3), w.At);
        Assert.Equal(w, config.Find("worker"));
        Assert.Null(config.Find("nope"));
    }

    [Fact]
    public void DefaultsWhenOnlyNameAndExecutableAreGiven()
    {
        var p = Assert.Single(ParseOk("processes:\n- name: web\n  executable: /bin/web\n").Processes);
        Assert.Empty(p.Args);
        Assert.Empty(p.Env);
        Assert.Null(p.WorkDir);
        Assert.Null(p.PreStart);
        Assert.Empty(p.Capabilities);
        Assert.Equal(new Limits(), p.Limits);
        Assert.Null(p.Limits.Memory);
        Assert.Null(p.Limits.OpenFiles);
        Assert.Null(p.Limits.Processes);
        Assert.Null(p.Limits.CoreFileSize);
        Assert.False(p.EphemeralDisk);
        Assert.False(p.PersistentDisk);
        Assert.Empty(p.AdditionalVolumes);
        Assert.False(p.Unsafe.Privileged);
        Assert.False(p.Unsafe.HostPidNamespace);
        Assert.Empty(p.Unsafe.UnrestrictedVolumes);
        Assert.Null(p.ShutdownSignal);
    }

    [Fact]
    public void NullValuesMeanDefaults()
    {
        var p = Assert.Single(ParseOk("processes:\n- name: web\n  executable: /bin/web\n  args: ~\n  env:\n  limits: null\n  unsafe: ~\n  ephemeral_disk: ~\n").Processes);
        Assert.Empty(p.Args);
        Assert.Empty(p.Env);
        Assert.Equal(new Limits(), p.Limits);
        Assert.False(p.EphemeralDisk);
    }

    [Fact]
    public void EmptyProcessListParses() => Assert.Empty(ParseOk("processes: []\n").Processes);

    [Fact]
    public void ScalarsOfAnyKindBecomeStrings()
    {
        var p = Assert.Single(ParseOk("""
            processes:
            - name: web
              executable: /bin/web
              args: [--port, 2424, true, 1.5, "quoted", 'single']
              env: {A: true, B: 1, C: 1.0, D: "x y", E: yes}
            """).Processes);
        Assert.Equal(["--port", "2424", "true", "1.5", "quoted", "single"], p.Args);
        Assert.Equal([new("A", "true"), new("B", "1"), new("C", "1.0"), new("D", "x y"), new("E", "yes")], p.Env);
    }

    [Fact]
    public void NumericNameAndExecutableAreStrings()
    {
        var p = Assert.Single(ParseOk("processes:\n- name: 123\n  executable: 4.5\n").Processes);
        Assert.Equal("123", p.Name);
        Assert.Equal("4.5", p.Executable);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("True", true)]
    [InlineData("FALSE", false)]
    [InlineData("yes", true)]
    [InlineData("no", false)]
    public void Booleans(string text, bool expected)
    {
        var p = Assert.Single(ParseOk($"processes:\n- name: web\n  executable: /bin/web\n  ephemeral_disk: {text}\n").Processes);
        Assert.Equal(expected, p.EphemeralDisk);
    }

    [Fact]
    public void UnknownKeysAreIgnored()
    {
        var p = Assert.Single(ParseOk("processes:\n- name: web\n  executable: /bin/web\n  colour: blue\nother: 1\n").Processes);
        Assert.Equal("web", p.Name);
    }

    [Fact]
    public void MissingProcessesIsAnError()
    {
        var e = Assert.Single(ParseErrors("foo: 1\n"));
        Assert.Equal(File, e.File);
        Assert.Contains("processes", e.Message);
        Assert.Equal(1, e.Line);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("# only a comment\n")]
    public void EmptyDocumentIsAnError(string yaml) =>
        Assert.Contains("processes", Assert.Single(ParseErrors(yaml)).Message);

    [Fact]
    public void NullDocumentIsAnError() => Assert.Single(ParseErrors("~\n"));

    [Theory]
    [InlineData("- a\n- b\n")]
    [InlineData("just a string\n")]
    public void TopLevelMustBeAMapping(string yaml) => Assert.Single(ParseErrors(yaml));

    [Fact]
    public void SyntaxErrorIsOneErrorWithFileLineAndColumn()
    {
        // Line 4 is indented deeper than a mapping value allows; the scanner trips at its colon.
        const string yaml = "processes:\n- name: web\n  executable: /bin/web\n    args: x\n";
        var e = Assert.Single(ParseErrors(yaml));
        Assert.Equal(File, e.File);
        Assert.Equal(4, e.Line);
        Assert.Equal(9, e.Column);
        Assert.StartsWith($"{File}:4:9: ", e.ToString());
    }

    [Fact]
    public void UnterminatedQuoteReportsWhereTheScannerStopped()
    {
        const string yaml = "processes:\n- name: web\n  executable: \"/bin/web\n";
        var e = Assert.Single(ParseErrors(yaml));
        Assert.Equal(3, e.Line);
        Assert.Equal(15, e.Column);
    }

    [Fact]
    public void UnclosedFlowSequenceIsAnError()
    {
        var e = Assert.Single(ParseErrors("processes:\n- name: web\n  executable: /bin/web\n  args: [x, y\n"));
        Assert.Equal(File, e.File);
        Assert.True(e.Line >= 4, e.ToString());
    }

    [Fact]
    public void ArgsMustBeAList()
    {
        var e = Assert.Single(ParseErrors("processes:\n- name: web\n  executable: /bin/web\n  args: 5\n"));
        Assert.Equal((4L, 9L), (e.Line, e.Column));
        Assert.Contains("args", e.Message);
    }

    [Fact]
    public void ArgsItemsMustBeScalars()
    {
        var e = Assert.Single(ParseErrors("processes:\n- name: web\n  executable: /bin/web\n  args: [a, [b]]\n"));
        Assert.Equal((4L, 13L), (e.Line, e.Column));
    }

    [Fact]
    public void EnvMustBeAMapping()
    {
        var e = Assert.Single(ParseErrors("processes:\n- name: web\n  executable: /bin/web\n  env: [a]\n"));
        Assert.Equal((4L, 8L), (e.Line, e.Column));
        Assert.Contains("env", e.Message);
    }

    [Fact]
    public void EnvValuesMustBeScalars()
    {
        var e = Assert.Single(ParseErrors("processes:\n- name: web\n  executable: /bin/web\n  env:\n    A: [x]\n"));
        Assert.Equal((5L, 8L), (e.Line, e.Column));
    }

    [Fact]
    public void OpenFilesMustBeANumber()
    {
        var e = Assert.Single(ParseErrors("processes:\n- name: web\n  executable: /bin/web\n  limits:\n    open_files: abc\n"));
        Assert.Equal((5L, 17L), (e.Line, e.Column));
        Assert.Contains("open_files", e.Message);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("\"10\"")]
    [InlineData("99999999999999999999999")]
    public void ProcessesLimitMustBeANonNegativeInteger(string value)
    {
        var e = Assert.Single(ParseErrors($"processes:\n- name: web\n  executable: /bin/web\n  limits:\n    processes: {value}\n"));
        Assert.Equal((5L, 16L), (e.Line, e.Column));
    }

    [Fact]
    public void MemoryMustBeASize()
    {
        var e = Assert.Single(ParseErrors("processes:\n- name: web\n  executable: /bin/web\n  limits:\n    memory: 1024\n"));
        Assert.Equal((5L, 13L), (e.Line, e.Column));
        Assert.Contains("memory", e.Message);
    }

    [Fact]
    public void HugeMemoryIsAnErrorNotAnException()
    {
        var e = Assert.Single(ParseErrors("processes:\n- name: web\n  executable: /bin/web\n  limits:\n    memory: 10000000000000000000000000G\n"));
        Assert.Equal((5L, 13L), (e.Line, e.Column));
    }

    [Fact]
    public void EphemeralDiskMustBeABoolean()
    {
        var e = Assert.Single(ParseErrors("processes:\n- name: web\n  executable: /bin/web\n  ephemeral_disk: maybe\n"));
        Assert.Equal((4L, 19L), (e.Line, e.Column));
        Assert.Contains("ephemeral_disk", e.Message);
    }

    [Fact]
    public void QuotedBooleanIsNotABoolean()
    {
        var e = Assert.Single(ParseErrors("processes:\n- name: web\n  executable: /bin/web\n  persistent_disk: \"true\"\n"));
        Assert.Equal(4, e.Line);
    }

    [Fact]
    public void ProcessesMustBeAList()
    {
        var e = Assert.Single(ParseErrors("processes: {}\n"));
        Assert.Equal((1L, 12L), (e.Line, e.Column));
        Assert.Contains("processes", e.Message);
    }

    [Fact]
    public void ProcessEntriesMustBeMappings()
    {
        var e = Assert.Single(ParseErrors("processes:\n- web\n"));
        Assert.Equal((2L, 3L), (e.Line, e.Column));
    }

    [Fact]
    public void NameMustBeAScalar()
    {
        var e = Assert.Single(ParseErrors("processes:\n- name: [web]\n  executable: /bin/web\n"));
        Assert.Equal((2L, 9L), (e.Line, e.Column));
    }

    [Theory]
    [InlineData("hooks: x", "hooks")]
    [InlineData("limits: [1]", "limits")]
    [InlineData("unsafe: true", "unsafe")]
    [InlineData("additional_volumes: /var/vcap/data/x", "additional_volumes")]
    [InlineData("additional_volumes: [/var/vcap/data/x]", "additional_volumes")]
    [InlineData("capabilities: NET_ADMIN", "capabilities")]
    public void StructuredFieldsReportTheirKey(string line, string key)
    {
        var e = Assert.Single(ParseErrors($"processes:\n- name: web\n  executable: /bin/web\n  {line}\n"));
        Assert.Equal(4, e.Line);
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void SeveralTypeErrorsAreAllReportedAtOnce()
    {
        const string yaml = """
            processes:
            - name: web
              executable: /bin/web
              args: 5
              env: [a]
              limits:
                open_files: abc
              ephemeral_disk: maybe
            - name: worker
              executable: /bin/worker
              persistent_disk: perhaps
            """;
        var errors = ParseErrors(yaml);
        Assert.Equal(
            [(4L, 9L), (5L, 8L), (7L, 17L), (8L, 19L), (11L, 20L)],
            errors.Select(e => (e.Line, e.Column)));
        Assert.All(errors, e => Assert.Equal(File, e.File));
    }

    [Fact]
    public void ErrorsFormatAsFileLineColumnMessage()
    {
        var errors = ParseErrors("processes:\n- name: web\n  executable: /bin/web\n  args: 5\n");
        var e = Assert.Single(errors);
        Assert.Equal($"{File}:4:9: {e.Message}", e.ToString());
    }

    [Fact]
    public void ConfigErrorToString()
    {
        Assert.Equal("bpm.yml:3:7: boom", new ConfigError("bpm.yml", 3, 7, "boom").ToString());
        Assert.Equal("/x/bpm.yml:12:1: invalid config: name", new ConfigError("/x/bpm.yml", 12, 1, "invalid config: name").ToString());
    }

    [Fact]
    public void ConfigExceptionCarriesAllErrorsAndTheFirstAsItsMessage()
    {
        var errors = new[] { new ConfigError("bpm.yml", 1, 2, "a"), new ConfigError("bpm.yml", 3, 4, "b") };
        var e = new ConfigException(errors);
        Assert.Equal("bpm.yml:1:2: a", e.Message);
        Assert.Equal(errors, e.Errors);
        Assert.IsAssignableFrom<BpmException>(e);
    }

    [Theory]
    [InlineData("processes:\n- name: a\n  name: b\n  executable: /bin/x\n")]
    [InlineData("processes: []\nprocesses: []\n")]
    [InlineData("processes:\n- name: a\n  executable: /bin/x\n  env: {A: 1, A: 2}\n")]
    public void DuplicateKeysAreAnError(string yaml)
    {
        var errors = ParseErrors(yaml);
        Assert.All(errors, e => Assert.Equal(File, e.File));
    }

    private static string Laughs(string tail)
    {
        var sb = new System.Text.StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i <= 9; i++)
            sb.Append($"a{i}: &a{i} [").Append(string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))).Append("]\n");
        return sb.Append(tail).ToString();
    }

    [Fact]
    public void BillionLaughsInValuesDoesNotExplode()
    {
        var yaml = Laughs("processes:\n- name: web\n  executable: /bin/web\n  args: *a9\n  env: {X: *a9}\n  capabilities: *a9\n");
        var (config, errors) = ParseWithin(yaml, TimeSpan.FromSeconds(5));
        Assert.Null(config);
        Assert.NotEmpty(errors);
    }

    [Fact]
    public void BillionLaughsAsAMappingKeyDoesNotHang()
    {
        var yaml = Laughs("? *a9\n: x\nprocesses: []\n");
        var (config, errors) = ParseWithin(yaml, TimeSpan.FromSeconds(5));
        Assert.Null(config);
        Assert.Contains(errors, e => e.Message == "mapping keys must be plain values");
    }

    [Theory]
    [InlineData(10000, false)]
    [InlineData(10000, true)]
    public void DeeplyNestedDocumentIsHandled(int depth, bool closed)
    {
        var yaml = "processes: " + new string('[', depth) + (closed ? new string(']', depth) : "") + "\n";
        var (config, errors) = ParseWithin(yaml, TimeSpan.FromSeconds(10));
        Assert.Null(config);
        Assert.NotEmpty(errors);
    }

    // 100000 levels is a 200 KB file, well under MaxFileBytes. Without a depth limit YamlDotNet's
    // recursion overflows the stack, which kills the whole test host rather than failing a test.
    [Theory]
    [InlineData("[", "]")]
    [InlineData("{a: ", "}")]
    public void VeryDeeplyNestedDocumentIsAnError(string open, string close)
    {
        var yaml = "processes: " + string.Concat(Enumerable.Repeat(open, 100000)) + string.Concat(Enumerable.Repeat(close, 100000)) + "\n";
        var (config, errors) = ParseWithin(yaml, TimeSpan.FromSeconds(10));
        Assert.Null(config);
        var e = Assert.Single(errors);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void OrdinaryNestingIsFine()
    {
        var p = Assert.Single(ParseOk("processes:\n- name: web\n  executable: /bin/web\n  unsafe:\n    unrestricted_volumes:\n    - {path: /var/vcap/x}\n").Processes);
        Assert.Single(p.Unsafe.UnrestrictedVolumes);
    }

    [Fact]
    public void ParseFileReadsTheFile()
    {
        var path = Path.Join(Path.GetTempPath(), $"bpm-parser-{Guid.NewGuid():N}.yml");
        try
        {
            System.IO.File.WriteAllText(path, "processes:\n- name: web\n  executable: /bin/web\n");
            var (config, errors) = ConfigParser.ParseFile(path);
            Assert.Empty(errors);
            Assert.Equal("web", Assert.Single(config!.Processes).Name);

            System.IO.File.WriteAllText(path, "processes:\n- name: web\n  args: 5\n");
            (config, errors) = ConfigParser.ParseFile(path);
            Assert.Null(config);
            Assert.StartsWith($"{path}:3:9: ", Assert.Single(errors).ToString());
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Fact]
    public void ParseFileOfAMissingFileIsAnError()
    {
        var path = Path.Join(Path.GetTempPath(), $"bpm-parser-missing-{Guid.NewGuid():N}.yml");
        var (config, errors) = ConfigParser.ParseFile(path);
        Assert.Null(config);
        Assert.Equal(path, Assert.Single(errors).File);
    }

    [Fact]
    public void ParseFileRefusesAFileOverTheLimit()
    {
        var path = Path.Join(Path.GetTempPath(), $"bpm-parser-big-{Guid.NewGuid():N}.yml");
        try
        {
            using (var f = System.IO.File.Create(path))
            {
                var head = "processes:\n- name: web\n  executable: /bin/web\n"u8.ToArray();
                f.Write(head);
                f.Write(Enumerable.Repeat((byte)'#', (int)ConfigParser.MaxFileBytes + 1 - head.Length).ToArray());
            }
            Assert.Equal(ConfigParser.MaxFileBytes + 1, new FileInfo(path).Length);
            var (config, errors) = ConfigParser.ParseFile(path);
            Assert.Null(config);
            Assert.Equal(path, Assert.Single(errors).File);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Fact]
    public void ParseFileAcceptsAFileAtTheLimit()
    {
        var path = Path.Join(Path.GetTempPath(), $"bpm-parser-edge-{Guid.NewGuid():N}.yml");
        try
        {
            using (var f = System.IO.File.Create(path))
            {
                var head = "processes:\n- name: web\n  executable: /bin/web\n#"u8.ToArray();
                f.Write(head);
                f.Write(Enumerable.Repeat((byte)'x', (int)ConfigParser.MaxFileBytes - head.Length).ToArray());
            }
            var (config, errors) = ConfigParser.ParseFile(path);
            Assert.Empty(errors);
            Assert.NotNull(config);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }
}
