using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bpm.IntegrationTests;

/// <summary>
/// Command-line behaviours of the original bpm (contract §4): the root check before anything,
/// usage for no command or stray arguments, --version everywhere, pid and list with missing or
/// broken configs, stop from the job's names alone, and the privileged capability set.
/// </summary>
public sealed class FidelityCliTests
{
    private const string RootRequired = "bpm must be run as root. Please run 'sudo -i' to become the root user.";
    private const string NotRunning = "Error: process is not running or could not be found\n";
    private const string BrokenYaml = "processes:\n- name: web\n  executable: [unclosed\n";

    private static Task<CommandResult> AsVcap(BoshRoot root, params string[] args) =>
        BoshRoot.Exec("setpriv",
            ["--reuid=" + BoshRoot.VcapUid, "--regid=" + BoshRoot.VcapGid, "--clear-groups", BoshRoot.BpmBin, .. args],
            new Dictionary<string, string> { ["BPM_BOSH_ROOT"] = root.Root }, BoshRoot.CommandTimeout);

    private static List<JsonElement> BpmLogRecords(BoshRoot root, string job) =>
        File.ReadAllLines(root.BpmLog(job)).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    private static JsonElement Record(List<JsonElement> records, string message) =>
        records.Single(r => r.GetProperty("message").GetString() == message);

    private static void AssertUsage(CommandResult r)
    {
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Equal("", r.Stdout);
        Assert.Matches(new Regex("^Usage:", RegexOptions.Multiline), r.Stderr);
        foreach (var command in new[] { "start", "stop", "run", "list", "pid", "logs", "shell", "trace", "version" })
            Assert.Matches(new Regex($@"^\s+{command}\s", RegexOptions.Multiline), r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    // ------------------------------------------------------------ root, usage, --version

    [Fact]
    public async Task TheRootCheckComesFirst()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("web");
        string[][] cases = [[], ["list"], ["start", "web"], ["--bogus"], ["start", "web", "--nope"], ["version", "extra"], ["--version"], ["--help"]];
        foreach (var args in cases)
        {
            var r = await AsVcap(root, args);
            Assert.True(r.ExitCode == 1, $"bpm {string.Join(' ', args)}: {r}");
            Assert.Equal("", r.Stdout);
            Assert.Equal(RootRequired, r.Stderr.TrimEnd('\n').Split('\n').Single().Replace("Error: ", ""));
        }
        Assert.Empty(root.RuncList());

        // validate only reads files: it stays usable by a release author without root.
        var validate = await AsVcap(root, "validate", "--file", root.ConfigPath("web"));
        Assert.True(validate.ExitCode == 0, validate.ToString());
    }

    [Fact]
    public void NoCommandOrStrayArgumentsPrintTheUsage()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("a");
        string[][] cases = [[], ["version", "extra"], ["list", "extra"], ["start", "a", "b"], ["stop", "a", "b"], ["bogus"]];
        foreach (var args in cases)
        {
            var r = root.Bpm(args);
            AssertUsage(r);
        }
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void VersionIsAcceptedOnEveryCommand()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("web");
        var version = root.Bpm("version");
        Assert.True(version.ExitCode == 0, version.ToString());
        string[][] cases = [["logs", "--version"], ["start", "web", "--version"], ["stop", "web", "--version"], ["list", "--version"], ["pid", "web", "--version"]];
        foreach (var args in cases)
        {
            var r = root.Bpm(args);
            Assert.True(r.ExitCode == 0, $"bpm {string.Join(' ', args)}: {r}");
            Assert.Equal(version.Stdout, r.Stdout);
            Assert.Equal("", r.Stderr);
        }
        Assert.Empty(root.RuncList());
        Assert.False(Directory.Exists(root.LogDir("web")), "--version must not run the command");
    }

    // ------------------------------------------------------------ pid and list

    [Fact]
    public void PidOfAnUnconfiguredJobOrUndefinedProcessIsNotRunning()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("known");
        root.WriteJob("broken", BrokenYaml);
        foreach (var args in new[] { new[] { "pid", "ghost" }, ["pid", "known", "-p", "nope"], ["pid", "broken"], ["shell", "ghost"] })
        {
            var r = root.Bpm(args);
            Assert.True(r.ExitCode == 1, $"bpm {string.Join(' ', args)}: {r}");
            Assert.Equal(NotRunning, r.Stderr);
        }
    }

    [Fact]
    public void ListReportsABrokenConfigAndListsEveryOtherJob()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("alpha");
        root.WriteJob("broken", BrokenYaml);
        root.WriteSleepJob("zulu");
        var pid = root.StartRunning("zulu");

        var table = root.Bpm("list");
        Assert.True(table.ExitCode == 0, table.ToString());
        var line = Assert.Single(table.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("invalid config for broken: ", line);
        Assert.Contains(root.ConfigPath("broken"), line);
        Assert.Equal([new ListRow("alpha", "-", "stopped"), new ListRow("zulu", pid.ToString(CultureInfo.InvariantCulture), "running")],
            BoshRoot.ParseList(table.Stdout));

        var json = root.Bpm("list", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.StartsWith("invalid config for broken: ", Assert.Single(json.Stderr.TrimEnd('\n').Split('\n')));
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(["alpha", "zulu"], doc.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()));
    }

    // ------------------------------------------------------------ stop

    [Fact]
    public void StopWithoutAContainerNeverReadsTheConfig()
    {
        using var root = new BoshRoot();
        root.WriteJob("broken", BrokenYaml);
        foreach (var job in new[] { "ghost", "broken" })
        {
            var r = root.Bpm("stop", job);
            Assert.True(r.ExitCode == 0, $"stop {job}: {r}");
            Assert.Equal("", r.Stderr);
            var records = BpmLogRecords(root, job);
            Record(records, "bpm.stop.job-already-stopped");
            Record(records, "bpm.stop.complete");
            Assert.DoesNotContain(records, x => x.GetProperty("level").GetString() == "error");
        }
        // A hostile name still cannot lead anywhere.
        var hostile = root.Bpm("stop", "../../etc");
        Assert.True(hostile.ExitCode == 1, hostile.ToString());
        Assert.StartsWith("Error: invalid job name", hostile.Stderr);
    }

    [Theory]
    [InlineData("broken")]
    [InlineData("removed")]
    public void ARunningJobWhoseConfigBrokeIsStillStopped(string damage)
    {
        using var root = new BoshRoot();
        // INT is configured; once the config is gone, stop falls back to the default TERM.
        root.WriteSleepJob("web", "shutdown_signal: INT");
        var pid = root.StartRunning("web");
        if (damage == "broken") File.WriteAllText(root.ConfigPath("web"), BrokenYaml);
        else File.Delete(root.ConfigPath("web"));

        var stop = root.Bpm("stop", "web");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Empty(root.RuncList());
        BoshRoot.WaitFor(() => !Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(5), "container init gone");
        Assert.False(File.Exists(root.PidFile("web")));
        Assert.False(Directory.Exists(root.BundleDir("web")));

        var records = BpmLogRecords(root, "web");
        var parse = Record(records, "bpm.stop.failed-to-parse-config");
        Assert.Equal("error", parse.GetProperty("level").GetString());
        Assert.Contains("bpm.yml", parse.GetProperty("data").GetProperty("error").GetString());
        Assert.Equal("TERM", Record(records, "bpm.stop.process-exited").GetProperty("data").GetProperty("signal").GetString());
        Record(records, "bpm.stop.complete");
    }

    [Fact]
    public void ARunningProcessNoLongerDefinedIsStillStopped()
    {
        using var root = new BoshRoot();
        root.WriteSleepJobOf("web", "web", "worker");
        root.StartRunning("web", "worker");
        root.WriteSleepJob("web");

        var stop = root.Bpm("stop", "web", "-p", "worker");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Empty(root.RuncList());
        var records = BpmLogRecords(root, "web");
        var undefined = Record(records, "bpm.stop.process-not-defined");
        Assert.Equal("error", undefined.GetProperty("level").GetString());
        Assert.Contains("\"worker\"", undefined.GetProperty("data").GetProperty("error").GetString());
        Assert.Equal("worker", undefined.GetProperty("data").GetProperty("process").GetString());
        Record(records, "bpm.stop.process-exited");
    }

    // ------------------------------------------------------------ privileged

    [Fact]
    public void PrivilegedGetsCapabilitiesZeroThroughAuditRead()
    {
        using var root = new BoshRoot();
        root.WriteShellJob("priv", "grep '^CapEff:' /proc/self/status", "unsafe: {privileged: true}");
        var r = root.Bpm("run", "priv");
        Assert.True(r.ExitCode == 0, r.ToString());
        var capEff = Regex.Match(r.Stdout, @"CapEff:\s+([0-9a-f]+)").Groups[1].Value;
        // The original's set, 0000003fffffffff, within what this host lets bpm hold.
        var bound = ulong.Parse(Regex.Match(File.ReadAllText("/proc/self/status"), @"CapBnd:\s+([0-9a-f]+)").Groups[1].Value, NumberStyles.HexNumber);
        Assert.Equal((0x3fffffffffUL & bound).ToString("x16", CultureInfo.InvariantCulture), capEff);
    }
}
