using System.Text.Json;

namespace Bpm.IntegrationTests.BeyondTests;

/// <summary>`bpm list --json`, and plain `list` kept as the original prints it.</summary>
public sealed class ListJsonTests
{
    private static readonly string[] EntryKeys = ["job", "process", "name", "container_id", "pid", "status", "exit_code", "exit_signal"];

    private static List<JsonElement> ListJson(BoshRoot root)
    {
        var json = Beyond.Json(root.Bpm("list", "--json"));
        Assert.Equal(JsonValueKind.Array, json.ValueKind);
        var entries = json.EnumerateArray().ToList();
        foreach (var e in entries)
        {
            Assert.Equal(EntryKeys, e.EnumerateObject().Select(p => p.Name).ToArray());
        }
        return entries;
    }

    private static string? Str(JsonElement e, string key) => e.GetProperty(key).GetString();

    private static int? Pid(JsonElement e) =>
        e.GetProperty("pid").ValueKind == JsonValueKind.Null ? null : e.GetProperty("pid").GetInt32();

    /// <summary>alpha (running), dead (failed), web (running) and web.worker (never started).</summary>
    private static (int Alpha, int Web) StartMixedJobs(BoshRoot root)
    {
        root.WriteSleepJob("alpha");
        root.WriteShellJob("dead", "exit 7");
        root.WriteSleepJobOf("web", "web", "worker");
        var alpha = root.StartRunning("alpha");
        var web = root.StartRunning("web");
        Assert.Equal(0, root.Bpm("start", "dead").ExitCode);
        Beyond.WaitForRunc(root, "dead", "stopped");
        return (alpha, web);
    }

    [Fact]
    public void OneObjectPerConfiguredProcess()
    {
        using var root = new BoshRoot();
        var (alpha, web) = StartMixedJobs(root);

        var entries = ListJson(root);
        Assert.Equal(new[] { "alpha", "dead", "web", "web.worker" }, entries.Select(e => Str(e, "name")!).ToArray());

        var a = entries[0];
        Assert.Equal(("alpha", "alpha", "bpm-alpha", "running"), (Str(a, "job"), Str(a, "process"), Str(a, "container_id"), Str(a, "status")));
        Assert.Equal(alpha, Pid(a));

        var d = entries[1];
        Assert.Equal(("dead", "dead", "bpm-dead", "failed"), (Str(d, "job"), Str(d, "process"), Str(d, "container_id"), Str(d, "status")));
        Assert.Null(Pid(d));

        var w = entries[2];
        Assert.Equal(("web", "web", "bpm-web", "running"), (Str(w, "job"), Str(w, "process"), Str(w, "container_id"), Str(w, "status")));
        Assert.Equal(web, Pid(w));

        var k = entries[3];
        Assert.Equal(("web", "worker", "bpm-web.2eworker", "stopped"), (Str(k, "job"), Str(k, "process"), Str(k, "container_id"), Str(k, "status")));
        Assert.Null(Pid(k));
    }

    [Fact]
    public void JsonAgreesWithThePlainTableAndPid()
    {
        using var root = new BoshRoot();
        StartMixedJobs(root);

        var table = root.List();
        var entries = ListJson(root);
        Assert.Equal(table.Count, entries.Count);
        for (var i = 0; i < table.Count; i++)
        {
            Assert.Equal(table[i], new ListRow(Str(entries[i], "name")!, Pid(entries[i])?.ToString() ?? "-", Str(entries[i], "status")!));
        }
        var pid = root.Bpm("pid", "alpha");
        Assert.Equal($"{Pid(entries[0])}\n", pid.Stdout);
    }

    [Fact]
    public void PlainListIsByteIdenticalToTheOriginal()
    {
        using var root = new BoshRoot();
        var (alpha, web) = StartMixedJobs(root);

        var r = root.Bpm("list");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr);
        // tabwriter(minwidth 0, padding 1): each column but the last padded to its widest cell + 1
        var pidWidth = new[] { "Pid", alpha.ToString(), web.ToString(), "-" }.Max(s => s.Length) + 1;
        string Row(string name, string pid, string status) => name.PadRight("web.worker".Length + 1) + pid.PadRight(pidWidth) + status + "\n";
        var expected =
            Row("Name", "Pid", "Status") +
            Row("alpha", alpha.ToString(), "running") +
            Row("dead", "-", "failed") +
            Row("web", web.ToString(), "running") +
            Row("web.worker", "-", "stopped");
        Assert.Equal(expected, r.Stdout);
    }

    [Fact]
    public void EmptyRoot()
    {
        using var root = new BoshRoot();
        var json = root.Bpm("list", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal("[]\n", json.Stdout);

        var plain = root.Bpm("list");
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Equal("Name Pid Status\n", plain.Stdout);
    }

    [Fact]
    public void InvalidConfigIsReportedOnStderrAndSkipped()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("good");
        root.WriteJob("bad", "processes:\n- name: bad\n  executable: [unclosed\n");
        var pid = root.StartRunning("good");

        var r = root.Bpm("list", "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("invalid config for bad: ", r.Stderr);
        Assert.Contains("bpm.yml", r.Stderr);
        var entries = Beyond.Json(r).EnumerateArray().ToList();
        var only = Assert.Single(entries);
        Assert.Equal("good", Str(only, "name"));
        Assert.Equal(pid, Pid(only));
    }

    [Fact]
    public void ContainerWithoutConfigIsListedWithoutJobAndProcess()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("orphan");
        var pid = root.StartRunning("orphan");
        File.Delete(root.ConfigPath("orphan"));

        var entries = ListJson(root);
        var e = Assert.Single(entries);
        Assert.Equal("orphan", Str(e, "name"));
        Assert.Equal("bpm-orphan", Str(e, "container_id"));
        Assert.Equal(JsonValueKind.Null, e.GetProperty("job").ValueKind);
        Assert.Equal(JsonValueKind.Null, e.GetProperty("process").ValueKind);
        Assert.Equal("running", Str(e, "status"));
        Assert.Equal(pid, Pid(e));

        Assert.Equal(new ListRow("orphan", pid.ToString(), "running"), Assert.Single(root.List()));
    }
}
