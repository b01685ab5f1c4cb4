using Bpm.Config;
using Xunit;

namespace Bpm.Tests;

// Values that would give a different container than the one asked for, or one that never runs.
public class ConfigValidatorRuntimeTests
{
    private const string Job = "server";

    private static ProcessConfig Valid => new() { Name = "server", Executable = "/var/vcap/packages/server/bin/serve" };

    private static List<string> Messages(ProcessConfig p, long execTotal = ExecSpace.DefaultTotal) =>
        ConfigValidator.Validate(Job, p, execTotal: execTotal).Select(e => e.Message).ToList();

    // ---- capabilities

    [Theory]
    [InlineData("ALL", "invalid capability: \"ALL\" (not a Linux capability; name each one, without CAP_, e.g. NET_BIND_SERVICE)")]
    [InlineData("NOT_A_CAP", "invalid capability: \"NOT_A_CAP\" (not a Linux capability; name each one, without CAP_, e.g. NET_BIND_SERVICE)")]
    [InlineData("CAP_NET_ADMIN", "invalid capability: \"CAP_NET_ADMIN\" (write NET_ADMIN: bpm adds the CAP_ prefix itself)")]
    [InlineData("net_admin", "invalid capability: \"net_admin\" (did you mean NET_ADMIN?)")]
    [InlineData("NET_ADMN", "invalid capability: \"NET_ADMN\" (did you mean NET_ADMIN?)")]
    [InlineData("", "invalid capability: \"\" (not a Linux capability; name each one, without CAP_, e.g. NET_BIND_SERVICE)")]
    public void UnknownCapabilitiesAreRejected(string name, string message) =>
        Assert.Equal([message], Messages(Valid with { Capabilities = ["NET_BIND_SERVICE", name] }));

    [Fact]
    public void EveryKernelCapabilityIsAccepted()
    {
        var all = Spec.CapabilityNames.ConfigNames.ToList();
        Assert.Equal(41, all.Count);
        Assert.Contains("CHECKPOINT_RESTORE", all);
        Assert.Empty(Messages(Valid with { Capabilities = all }));
    }

    [Fact]
    public void CapabilityErrorIsAtTheKey()
    {
        var at = new SourcePosition(6, 3);
        var p = Valid with { Capabilities = ["ALL"], KeyPositions = new Dictionary<string, SourcePosition> { ["capabilities"] = at } };
        Assert.Equal(at, Assert.Single(ConfigValidator.Validate(Job, p)).At);
    }

    // ---- limits

    [Fact]
    public void NoOpenFilesIsAnError() =>
        Assert.Equal(
            ["limits.open_files: 0 leaves the process no file descriptors, so it could not even be started"],
            Messages(Valid with { Limits = new Limits { OpenFiles = 0 } }));

    [Fact]
    public void OneOpenFileIsAllowed() => Assert.Empty(Messages(Valid with { Limits = new Limits { OpenFiles = 1 } }));

    [Fact]
    public void NoProcessesIsAWarningNotAnError()
    {
        var p = Valid with
        {
            Limits = new Limits { Processes = 0 },
            KeyPositions = new Dictionary<string, SourcePosition> { ["limits"] = new(8, 3) },
        };
        Assert.Empty(Messages(p));
        var w = Assert.Single(ConfigValidator.Warnings("f", new JobConfig([p])));
        Assert.True(w.Warning);
        Assert.Equal("f:8:3: warning: limits.processes: 0 sets no limit at all (the runtime treats 0 as unlimited)", w.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1L)]
    public void OtherProcessLimitsHaveNoWarning(long? n) =>
        Assert.Empty(ConfigValidator.Warnings("f", new JobConfig([Valid with { Limits = new Limits { Processes = n } }])));

    // ---- NUL bytes

    [Fact]
    public void NulInTheExecutable() =>
        Assert.Equal(["executable contains a NUL byte"], Messages(Valid with { Executable = "/bin/a\0b" }));

    [Fact]
    public void NulInAnArgument() =>
        Assert.Equal(["args[1] contains a NUL byte"], Messages(Valid with { Args = ["ok", "a\0b"] }));

    [Fact]
    public void NulInAnEnvValue() =>
        Assert.Equal(["environment variable \"FOO\": the value contains a NUL byte"], Messages(Valid with { Env = [new("FOO", "a\0b")] }));

    [Fact]
    public void NulInTheHook() =>
        Assert.Equal(["hooks.pre_start contains a NUL byte"], Messages(Valid with { PreStart = "/bin/a\0" }));

    [Fact]
    public void NulFromTheFile()
    {
        var (config, errors) = ConfigParser.Parse("f", "processes:\n- name: server\n  executable: /bin/x\n  env: {A: \"x\\0y\"}\n");
        Assert.Empty(errors);
        Assert.Equal("f:4:3: environment variable \"A\": the value contains a NUL byte", Assert.Single(ConfigValidator.Validate("f", Job, config!)).ToString());
    }

    // ---- what execve accepts

    private const int MaxLength = ExecSpace.MaxString - 1; // bytes, without the NUL

    private static string PerString(string what, int length) =>
        $"{what} is {length} bytes, more than the {MaxLength} the kernel accepts in one argument or environment string";

    [Fact]
    public void EnvStringAtTheLimitIsFine() =>
        Assert.Empty(Messages(Valid with { Env = [new("K", new string('v', MaxLength - 2))] }));

    [Fact]
    public void EnvStringOverTheLimitIsRejected() =>
        Assert.Equal(
            [PerString("environment variable \"K\" (as K=VALUE)", MaxLength + 1)],
            Messages(Valid with { Env = [new("K", new string('v', MaxLength - 1))] }));

    [Fact]
    public void AMegabyteEnvValueIsRejected()
    {
        var message = Assert.Single(Messages(Valid with { Env = [new("BIG", new string('x', 1 << 20))] }));
        Assert.Equal(PerString("environment variable \"BIG\" (as BIG=VALUE)", (1 << 20) + 4), message);
    }

    [Fact]
    public void SizesAreInBytesNotCharacters() =>
        Assert.Equal(
            [PerString("args[0]", 2 * 65536)],
            Messages(Valid with { Args = [new string('\u00e9', 65536)] }));

    [Fact]
    public void LongArgumentExecutableAndHook()
    {
        var big = "/" + new string('a', MaxLength);
        Assert.Equal([PerString("args[1]", MaxLength + 1)], Messages(Valid with { Args = ["x", big] }));
        Assert.Equal([PerString("executable", MaxLength + 1)], Messages(Valid with { Executable = big }));
        Assert.Equal([PerString("hooks.pre_start", MaxLength + 1)], Messages(Valid with { PreStart = big }));
    }

    // Counted by hand: tini's path once as the file executed and once as argv[0], each string
    // with its NUL, a pointer per string, and the four variables bpm adds for job "server".
    private static long HandCountedTotal(IEnumerable<string> argsAndEnv, int pointers)
    {
        const string tini = "/var/vcap/packages/bpm/bin/tini";
        string[] defaults =
        [
            "TMPDIR=/var/vcap/data/server/tmp",
            "LANG=en_US.UTF-8",
            "PATH=/var/vcap/jobs/server/bin:/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin:.",
            "HOME=/var/vcap/data/server",
        ];
        string[] strings = [tini, tini, "-w", "-s", "--", .. argsAndEnv, .. defaults];
        return strings.Sum(s => s.Length + 1) + (long)(pointers + 4 + 4) * 8;
    }

    [Fact]
    public void TheTotalCountsTiniTheCommandTheEnvironmentAndBpmsDefaults()
    {
        var p = Valid with { Args = ["--port", "2424"], Env = [new("A", "1"), new("B", new string('b', 1000))] };
        var total = HandCountedTotal([p.Executable, "--port", "2424", "A=1", "B=" + new string('b', 1000)], pointers: 3 + 2);
        Assert.Empty(Messages(p, total));
        Assert.Equal(
            [$"the command line and environment of the process come to {total} bytes, more than the {total - 1} the kernel accepts for a new program (set by the stack size limit)"],
            Messages(p, total - 1));
    }

    [Fact]
    public void AVariableOfTheFileReplacesBpmsDefault()
    {
        var p = Valid with { Env = [new("HOME", "/h")] };
        var withDefault = Valid;
        long difference = "HOME=/var/vcap/data/server".Length - "HOME=/h".Length;
        var total = HandCountedTotal([Valid.Executable], pointers: 1);
        Assert.Empty(Messages(withDefault, total));
        Assert.NotEmpty(Messages(withDefault, total - 1));
        Assert.Empty(Messages(p, total - difference));
        Assert.NotEmpty(Messages(p, total - difference - 1));
    }

    [Fact]
    public void ManyVariablesTogetherAreTooMuch()
    {
        // 20 strings of 120 KB: each fits, together they pass the 2 MiB of an 8 MiB stack.
        var env = Enumerable.Range(0, 20).Select(i => new KeyValuePair<string, string>($"V{i}", new string('x', 120_000))).ToList();
        var message = Assert.Single(Messages(Valid with { Env = env }));
        Assert.StartsWith("the command line and environment of the process come to 24", message);
        Assert.Contains($"more than the {2 << 20} the kernel accepts", message);
        Assert.Empty(Messages(Valid with { Env = env }, ExecSpace.TotalFor(32UL << 20)));
    }

    [Fact]
    public void TheHookIsCheckedToo()
    {
        var p = Valid with { PreStart = "/var/vcap/jobs/server/bin/" + new string('h', 2000) };
        var total = HandCountedTotal([p.Executable], pointers: 1);
        var message = Assert.Single(Messages(p, total + 1000));
        Assert.StartsWith("the command line and environment of the pre-start hook come to ", message);
    }

    [Fact]
    public void RunOverridesAreCounted()
    {
        var p = RunOverrides.Apply(Valid with { Env = [new("A", "1")] }, [], [RunOverrides.ParseEnv("A=" + new string('x', MaxLength))]);
        Assert.Equal([PerString("environment variable \"A\" (as A=VALUE)", MaxLength + 2)], Messages(p));
    }

    [Theory]
    [InlineData(8UL << 20, 2L << 20)]
    [InlineData(256UL << 10, 128L << 10)]
    [InlineData(100UL << 10, 128L << 10)]
    [InlineData(0UL, 128L << 10)]
    [InlineData(16UL << 20, 4L << 20)]
    [InlineData(64UL << 20, 6L << 20)]
    [InlineData(ulong.MaxValue, 6L << 20)]
    public void TotalFromTheStackLimit(ulong stack, long expected) => Assert.Equal(expected, ExecSpace.TotalFor(stack));

    [Fact]
    public void ValidateJobConfigPassesTheTotalOn()
    {
        var p = Valid with { Env = [new("A", new string('a', 100_000))] };
        Assert.Empty(ConfigValidator.Validate("f", Job, new JobConfig([p])));
        Assert.Single(ConfigValidator.Validate("f", Job, new JobConfig([p]), execTotal: ExecSpace.MinTotal / 2));
    }
}
