using System.Globalization;
using System.Text.Json;
using Bpm.IntegrationTests.BeyondTests;

namespace Bpm.IntegrationTests.Forensics;

/// <summary>
/// Helpers for the tests of how a detached process's end is recorded: the records
/// beside the pidfile, the waiter, and the processes one BOSH root has running.
/// </summary>
internal static class Fx
{
    public static readonly string[] EndKeys = ["exit_code", "exit_signal", "exited_at", "oom_killed", "stopped_by_bpm"];

    // Beyond's key set holds the end's keys too.
    public static readonly string[] StatusKeys = Beyond.StatusKeys;

    public const string UnknownEnd = "exited on its own (exit status not known to bpm)";

    /// <summary>`bpm status JOB [-p PROC] --json`, with the key set checked.</summary>
    public static JsonElement Status(BoshRoot root, string job, string? proc = null)
    {
        var args = new List<string> { "status", job };
        if (proc is not null)
        {
            args.AddRange(["-p", proc]);
        }
        args.Add("--json");
        var s = Beyond.Json(root.Bpm([.. args]));
        Assert.Equal(StatusKeys.Order(StringComparer.Ordinal), s.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        return s;
    }

    /// <summary>The `list --json` entry named NAME.</summary>
    public static JsonElement ListEntry(BoshRoot root, string name)
    {
        var json = Beyond.Json(root.Bpm("list", "--json"));
        var entries = json.EnumerateArray().Where(e => e.GetProperty("name").GetString() == name).ToList();
        Assert.True(entries.Count == 1, $"want one list entry {name}: {json}");
        return entries[0];
    }

    public static bool IsNull(JsonElement e, string key) => e.GetProperty(key).ValueKind == JsonValueKind.Null;

    public static string? Str(JsonElement e, string key) => e.GetProperty(key).GetString();

    /// <summary>Every one of the five end fields null (a running process, or an end nobody recorded).</summary>
    public static void AssertNoEnd(JsonElement s)
    {
        foreach (var key in EndKeys)
        {
            Assert.True(IsNull(s, key), $"{key} should be null: {s}");
        }
    }

    // ------------------------------------------------------------ jobs

    /// <summary>Where the job sees the file that tells it to end: its own tmp dir, which every container has.</summary>
    public static string TriggerPath(BoshRoot root, string job) => root.P("data", job, "tmp", "go");

    /// <summary>Ends the job's process, which waits for nothing else; no bpm command runs meanwhile.</summary>
    public static void Trigger(BoshRoot root, string job) => File.WriteAllText(TriggerPath(root, job), "");

    /// <summary>A script that runs until the test calls Trigger, then does LAST (e.g. `exit 7`).</summary>
    public static string UntilTriggered(string job, string last) => $"""
        echo ready
        while [ ! -e /var/vcap/data/{job}/tmp/go ]; do sleep 0.05; done
        {last}
        """;

    // ------------------------------------------------------------ records

    public static string Record(BoshRoot root, string job, string? proc, string suffix) =>
        root.P("sys", "run", "bpm", job, (proc ?? job) + suffix);

    public static string EndsFile(BoshRoot root, string job, string? proc = null) => Record(root, job, proc, ".ends");
    public static string WaiterFile(BoshRoot root, string job, string? proc = null) => Record(root, job, proc, ".waiter");
    public static string StoppingFile(BoshRoot root, string job, string? proc = null) => Record(root, job, proc, ".stopping");

    /// <summary>The PROC.ends history as written, or null when there is none.</summary>
    public static JsonElement? History(BoshRoot root, string job, string? proc = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(EndsFile(root, job, proc));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>The recorded end of the current (or last) container, or null.</summary>
    public static JsonElement? RecordedEnd(BoshRoot root, string job, string? proc = null) =>
        History(root, job, proc) is { } h && h.GetProperty("end").ValueKind == JsonValueKind.Object ? h.GetProperty("end") : null;

    /// <summary>
    /// Polls the records themselves (no bpm command) until the waiter has written an end and
    /// the `bpm exited` it became has finished (its bpm.log line comes last).
    /// </summary>
    public static JsonElement WaitForEnd(BoshRoot root, string job, string? proc = null)
    {
        JsonElement? end = null;
        BoshRoot.WaitFor(() => (end = RecordedEnd(root, job, proc)) is not null && ExitedCommands(root, job, proc).Count == 0,
            TimeSpan.FromSeconds(20), $"the end of {job}/{proc ?? job} to be recorded");
        return end!.Value;
    }

    /// <summary>The `bpm exited ... --process PROC JOB` commands running for ROOT.</summary>
    public static List<int> ExitedCommands(BoshRoot root, string job, string? proc = null) =>
        ProcessesOf(root).Where(pid =>
        {
            string[] args;
            try
            {
                args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
            catch (IOException)
            {
                return false;
            }
            var at = Array.IndexOf(args, "exited");
            return at >= 0 && args[^1] == job && args.Contains(proc ?? job);
        }).ToList();

    /// <summary>The `bpm.exited` entries of JOB's bpm.log.</summary>
    public static List<JsonElement> ExitedEntries(BoshRoot root, string job) =>
        Beyond.LogEntries(root, job).Where(e => e.GetProperty("message").GetString() == "bpm.exited").ToList();

    public static JsonElement OneExitedEntry(BoshRoot root, string job)
    {
        var entries = ExitedEntries(root, job);
        Assert.True(entries.Count == 1, $"want exactly one bpm.exited entry, got {entries.Count}:\n{Beyond.LogText(root, job)}");
        return entries[0].GetProperty("data");
    }

    /// <summary>The names of the data fields of a bpm.log entry's data.</summary>
    public static string[] Keys(JsonElement data) => data.EnumerateObject().Select(p => p.Name).ToArray();

    // ------------------------------------------------------------ the waiter

    /// <summary>A process named by pid and start time, so that a reused pid is not taken for it.</summary>
    public readonly record struct Proc(int Pid, ulong StartTime)
    {
        public bool Alive => Fx.StartTime(Pid) == StartTime && ProcessTree.Alive(Pid);
        public override string ToString() => $"{Pid} (start {StartTime})";
    }

    /// <summary>The waiter PROC.waiter names ("PID STARTTIME"), or null when there is no such file.</summary>
    public static Proc? Waiter(BoshRoot root, string job, string? proc = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(WaiterFile(root, job, proc));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        var f = text.Trim().Split(' ');
        Assert.True(f.Length == 2, $"PROC.waiter should be 'PID STARTTIME': '{text}'");
        return new Proc(int.Parse(f[0], CultureInfo.InvariantCulture), ulong.Parse(f[1], CultureInfo.InvariantCulture));
    }

    /// <summary>The running job's waiter: named by PROC.waiter, alive, and the bpm-waiter beside BPM.</summary>
    public static Proc RunningWaiter(BoshRoot root, string job, string? proc = null, string? bpm = null)
    {
        var w = Waiter(root, job, proc);
        Assert.True(w is not null, $"no {WaiterFile(root, job, proc)} while the job runs");
        Assert.True(w.Value.Alive, $"the waiter {w} named by PROC.waiter is not alive");
        var expected = Path.Combine(Path.GetDirectoryName(bpm ?? BoshRoot.BpmBin)!, "bpm-waiter");
        Assert.Equal(expected, Exe(w.Value.Pid));
        return w.Value;
    }

    /// <summary>Field 22 of /proc/PID/stat (clock ticks since boot), or null when PID is gone.</summary>
    public static ulong? StartTime(int pid) =>
        ProcessTree.StatFields(pid) is { } f ? ulong.Parse(f[19], CultureInfo.InvariantCulture) : null;

    public static string? Exe(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/exe").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether PID sleeps in wait4(-1, ...): by its wait channel, or, where the kernel hides
    /// that ("0"), by the system call it is in.
    /// </summary>
    public static bool WaitsForAnyChild(int pid)
    {
        try
        {
            if (File.ReadAllText($"/proc/{pid}/wchan") == "do_wait")
            {
                return true;
            }
            var wait4 = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture ==
                System.Runtime.InteropServices.Architecture.Arm64 ? "260" : "61";
            var f = File.ReadAllText($"/proc/{pid}/syscall").Split(' ');
            return f.Length > 1 && f[0] == wait4 && f[1] is "0xffffffff" or "0xffffffffffffffff";
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>VmRSS of PID in KiB.</summary>
    public static long RssKiB(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Live processes that bpm, its waiters or what they exec run for ROOT: their environment
    /// holds BPM_BOSH_ROOT=ROOT, which no other root's (and no container's) does.
    /// </summary>
    public static List<int> ProcessesOf(BoshRoot root)
    {
        var marker = System.Text.Encoding.UTF8.GetBytes("BPM_BOSH_ROOT=" + root.Root + "\0");
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var environ = File.ReadAllBytes(Path.Combine(dir, "environ"));
                if (environ.AsSpan().IndexOf(marker) >= 0 && ProcessTree.Alive(pid))
                {
                    pids.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return pids;
    }

    public static string Describe(IEnumerable<int> pids) =>
        string.Join(", ", pids.Select(p => $"{p} {Exe(p)}"));
}

/// <summary>
/// Kills, at the end of a test, what bpm still runs for the test's own root (waiters above all),
/// before the root is torn down: a waiter woken by that teardown would exec `bpm exited` into a
/// root being removed. Dispose it before the root (declare it after).
/// </summary>
internal sealed class RootProcesses(BoshRoot root) : IDisposable
{
    public void Dispose()
    {
        for (var pass = 0; pass < 3; pass++)
        {
            var pids = Fx.ProcessesOf(root);
            if (pids.Count == 0)
            {
                return;
            }
            foreach (var pid in pids)
            {
                BoshRoot.Run("kill", "-9", pid.ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}
