using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bpm.IntegrationTests;

/// <summary>The outcome of one command.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr, bool TimedOut = false)
{
    public override string ToString() =>
        $"exit={ExitCode}{(TimedOut ? " (TIMED OUT)" : "")}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>One row of `bpm list`.</summary>
public sealed record ListRow(string Name, string Pid, string Status);

/// <summary>
/// A throwaway BOSH root under /tmp, laid out like /var/vcap with bpm's runc and tini in
/// packages/bpm/bin. Dispose tears down everything bpm may have left behind: containers,
/// mounts under the root, leftover cgroups, then the directory itself.
/// </summary>
public sealed class BoshRoot : IDisposable
{
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly HashSet<string> _containerIds = new(StringComparer.Ordinal);
    private bool _disposed;

    public string Root { get; }
    public string RuncRoot => Path.Combine(Root, "sys", "run", "bpm-runc");

    public BoshRoot()
    {
        RequireRoot();
        Root = Directory.CreateTempSubdirectory("bpm-it-").FullName;
        // Directory.CreateTempSubdirectory honours TMPDIR; the brief wants /tmp.
        if (!Root.StartsWith("/tmp/", StringComparison.Ordinal))
        {
            Directory.Delete(Root);
            Root = Path.Combine("/tmp", "bpm-it-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(Root);
        }
        try
        {
            File.SetUnixFileMode(Root, Mode755);
            var bin = Directory.CreateDirectory(Path.Combine(Root, "packages", "bpm", "bin")).FullName;
            File.CreateSymbolicLink(Path.Combine(bin, "runc"), RuncPath);
            var tini = Path.Combine(bin, "tini");
            File.Copy(TiniStaticPath, tini);
            File.SetUnixFileMode(tini, Mode755);
            foreach (var d in new[] { "jobs", "data", "sys" })
            {
                Directory.CreateDirectory(Path.Combine(Root, d));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    // ---------------------------------------------------------------- paths

    public string P(params string[] parts) => Path.Combine([Root, .. parts]);
    public string JobDir(string job) => P("jobs", job);
    public string ConfigPath(string job) => P("jobs", job, "config", "bpm.yml");
    public string LogDir(string job) => P("sys", "log", job);
    public string StdoutLog(string job, string? proc = null) => P("sys", "log", job, (proc ?? job) + ".stdout.log");
    public string StderrLog(string job, string? proc = null) => P("sys", "log", job, (proc ?? job) + ".stderr.log");
    public string BpmLog(string job) => P("sys", "log", job, "bpm.log");
    public string PidFile(string job, string? proc = null) => P("sys", "run", "bpm", job, (proc ?? job) + ".pid");
    public string BundleDir(string job, string? proc = null) => P("data", "bpm", "bundles", job, proc ?? job);

    // ---------------------------------------------------------------- jobs

    /// <summary>Writes jobs/JOB/config/bpm.yml (and creates jobs/JOB/bin); returns the config path.</summary>
    public string WriteJob(string job, string yaml)
    {
        Directory.CreateDirectory(P("jobs", job, "bin"));
        Directory.CreateDirectory(P("jobs", job, "config"));
        var path = ConfigPath(job);
        File.WriteAllText(path, yaml);
        lock (_containerIds)
        {
            _containerIds.Add(ContainerId(job));
            foreach (Match m in Regex.Matches(yaml, @"^\s*-?\s*name:\s*[""']?([^""'\s#]+)", RegexOptions.Multiline))
            {
                _containerIds.Add(ContainerId(job, m.Groups[1].Value));
            }
        }
        return path;
    }

    /// <summary>A job with one process (named like the job unless given) running `/bin/sh -c SCRIPT`.</summary>
    public string WriteShellJob(string job, string script, string extraYaml = "", string? process = null) =>
        WriteJob(job, ShellJobYaml(process ?? job, script, extraYaml));

    /// <summary>A job with one process running `/bin/sleep 1000` (stopped by TERM at once).</summary>
    public string WriteSleepJob(string job, string extraYaml = "") =>
        WriteJob(job, $"""
            processes:
            - name: {job}
              executable: /bin/sleep
              args: ["1000"]
            {Indent(extraYaml, "  ")}
            """);

    /// <summary>A job whose processes (the first named like the job) each run `/bin/sleep 1000`.</summary>
    public string WriteSleepJobOf(string job, params string[] processes) =>
        WriteJob(job, "processes:\n" + string.Concat(processes.Select(p =>
            $"- name: {p}\n  executable: /bin/sleep\n  args: [\"1000\"]\n")));

    public static string ShellJobYaml(string process, string script, string extraYaml = "")
    {
        var sb = new StringBuilder();
        sb.Append("processes:\n");
        sb.Append("- name: ").Append(process).Append('\n');
        sb.Append("  executable: /bin/sh\n");
        if (extraYaml.Trim().Length > 0)
        {
            sb.Append(Indent(extraYaml, "  ")).Append('\n');
        }
        sb.Append("  args:\n  - -c\n  - |\n");
        sb.Append(Indent(script.Trim('\n'), "    ")).Append('\n');
        return sb.ToString();
    }

    private static string Indent(string text, string prefix) =>
        string.Join("\n", text.Replace("\r", "").Split('\n').Select(l => l.Length == 0 ? l : prefix + l));

    // ---------------------------------------------------------------- running bpm

    /// <summary>Runs bpm with BPM_BOSH_ROOT set to this root (60 s timeout, process tree killed on timeout).</summary>
    public CommandResult Bpm(params string[] args) => BpmAsync(args).GetAwaiter().GetResult();

    public Task<CommandResult> BpmAsync(params string[] args) =>
        Exec(BpmBin, args, BpmEnv(), CommandTimeout);

    /// <summary>Starts bpm in the background (e.g. `logs -f`); dispose the handle to kill it.</summary>
    public RunningCommand StartBpm(params string[] args) => RunningCommand.Start(BpmBin, args, BpmEnv());

    private Dictionary<string, string> BpmEnv() => new() { ["BPM_BOSH_ROOT"] = Root };

    /// <summary>Parses `bpm list` (asserting exit 0 and the header).</summary>
    public List<ListRow> List()
    {
        var r = Bpm("list");
        Assert.True(r.ExitCode == 0, "bpm list failed: " + r);
        return ParseList(r.Stdout);
    }

    public static List<ListRow> ParseList(string stdout)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 1, "bpm list printed no header: " + stdout);
        Assert.Matches(@"^Name +Pid +Status$", lines[0]);
        var rows = new List<ListRow>();
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(f.Length == 3, $"bad list row '{line}' in:\n{stdout}");
            rows.Add(new ListRow(f[0], f[1], f[2]));
        }
        return rows;
    }

    public ListRow? ListRowFor(string name) => List().SingleOrDefault(r => r.Name == name);

    // ---------------------------------------------------------------- runc

    public string[] RuncList()
    {
        if (!Directory.Exists(RuncRoot))
        {
            return [];
        }
        var r = Run(RuncPath, "--root", RuncRoot, "list", "-q");
        return r.ExitCode == 0 ? r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];
    }

    /// <summary>runc's status of the container (created, running, stopped...), or null when runc does not know it.</summary>
    public string? RuncStatus(string id)
    {
        if (!Directory.Exists(RuncRoot))
        {
            return null;
        }
        var r = Run(RuncPath, "--root", RuncRoot, "state", id);
        if (r.ExitCode != 0)
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(r.Stdout);
            return doc.RootElement.GetProperty("status").GetString();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public int ReadPidFile(string job, string? proc = null)
    {
        var text = File.ReadAllText(PidFile(job, proc));
        Assert.Matches(@"^[0-9]+$", text);
        return int.Parse(text);
    }

    /// <summary>Starts JOB and waits until runc reports its container running; returns the pid.</summary>
    public int StartRunning(string job, string? proc = null)
    {
        var args = proc is null ? new[] { "start", job } : ["start", job, "-p", proc];
        var r = Bpm(args);
        Assert.True(r.ExitCode == 0, "bpm start failed: " + r);
        var id = ContainerId(job, proc);
        WaitFor(() => RuncStatus(id) == "running", TimeSpan.FromSeconds(20), $"container {id} running");
        return ReadPidFile(job, proc);
    }

    // ---------------------------------------------------------------- statics

    public static string ContainerId(string job, string? proc = null) =>
        "bpm-" + Encode(proc is null || proc == job ? job : job + "." + proc);

    public static string Encode(string name)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            var c = (char)b;
            if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '-')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('.').Append(b.ToString("x2"));
            }
        }
        return sb.ToString();
    }

    /// <summary>Polls COND every 50 ms until it holds; fails the test after TIMEOUT.</summary>
    public static void WaitFor(Func<bool> cond, TimeSpan timeout, string what = "condition")
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (cond())
            {
                return;
            }
            if (sw.Elapsed > timeout)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}");
            }
            Thread.Sleep(50);
        }
    }

    public static void WaitFor(Func<bool> cond, string what = "condition") =>
        WaitFor(cond, TimeSpan.FromSeconds(20), what);

    private static readonly Lazy<string> RepoRootLazy = new(FindRepoRoot);
    public static string RepoRoot => RepoRootLazy.Value;

    public static string BpmBin
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("BPM_BIN");
            var path = string.IsNullOrEmpty(fromEnv) ? Path.Combine(RepoRoot, "artifacts", "bin", "bpm") : fromEnv;
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"bpm binary not found at {path}: run scripts/build (or set BPM_BIN)");
            }
            return path;
        }
    }

    private static readonly Lazy<string> RuncPathLazy = new(() => FindOnPath("runc") ??
        throw new InvalidOperationException("runc not found on PATH: run scripts/setup-host"));
    public static string RuncPath => RuncPathLazy.Value;

    public const string TiniStaticPath = "/usr/bin/tini-static";

    private static readonly Lazy<(int Uid, int Gid)> VcapLazy = new(() =>
    {
        foreach (var line in File.ReadAllLines("/etc/passwd"))
        {
            var f = line.Split(':');
            if (f.Length > 3 && f[0] == "vcap")
            {
                return (int.Parse(f[2]), int.Parse(f[3]));
            }
        }
        throw new InvalidOperationException("no vcap user: run scripts/setup-host");
    });
    public static int VcapUid => VcapLazy.Value.Uid;
    public static int VcapGid => VcapLazy.Value.Gid;

    public const UnixFileMode Mode755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>(uid, gid, octal mode) of PATH, not following symlinks.</summary>
    public static (int Uid, int Gid, string Mode) Stat(string path)
    {
        var r = Run("stat", "-c", "%u %g %a", "--", path);
        Assert.True(r.ExitCode == 0, $"stat {path}: " + r);
        var f = r.Stdout.Trim().Split(' ');
        return (int.Parse(f[0]), int.Parse(f[1]), f[2]);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".ci")) ||
                File.Exists(Path.Combine(dir.FullName, "scripts", "build")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root (holding .ci or scripts/build) not found above " + AppContext.BaseDirectory);
    }

    private static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':').Concat(["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"]))
        {
            if (dir.Length == 0)
            {
                continue;
            }
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static void RequireRoot()
    {
        var r = Run("id", "-u");
        if (r.Stdout.Trim() != "0")
        {
            throw new InvalidOperationException("the integration tests must run as root");
        }
    }

    // ---------------------------------------------------------------- processes

    public static CommandResult Run(string file, params string[] args) =>
        Exec(file, args, null, CommandTimeout).GetAwaiter().GetResult();

    public static async Task<CommandResult> Exec(string file, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? env, TimeSpan timeout)
    {
        using var p = new Process { StartInfo = MakeStartInfo(file, args, env) };
        p.Start();
        p.StandardInput.Close();
        var stdout = new PipeCollector(p.StandardOutput.BaseStream);
        var stderr = new PipeCollector(p.StandardError.BaseStream);
        var timedOut = false;
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await p.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                try
                {
                    p.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // already gone
                }
                await p.WaitForExitAsync();
            }
        }
        // A process that leaks our pipes into a long-lived child would keep them open: do not hang on it.
        var pipesClosed = await stdout.Completion.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(t => t.IsCompletedSuccessfully)
            & await stderr.Completion.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(t => t.IsCompletedSuccessfully);
        var err = stderr.Text;
        if (!pipesClosed)
        {
            err += "\n[harness: output pipe still open 10 s after exit: a child process inherited it]";
        }
        return new CommandResult(p.ExitCode, stdout.Text, err, timedOut);
    }

    internal static ProcessStartInfo MakeStartInfo(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }
        }
        return psi;
    }

    // ---------------------------------------------------------------- teardown

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        lock (_containerIds)
        {
            ids.UnionWith(_containerIds);
        }
        try
        {
            foreach (var id in RuncList())
            {
                ids.Add(id);
                Run(RuncPath, "--root", RuncRoot, "delete", "--force", id);
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"BoshRoot: deleting containers: {e.Message}");
        }
        try
        {
            UnmountUnder(Root);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"BoshRoot: unmounting: {e.Message}");
        }
        // bpm names the cgroups of a root other than /var/vcap apart from the container IDs.
        ids.UnionWith(ids.Select(id => CgroupNames.Leaf(Root, id)).ToList());
        try
        {
            RemoveCgroups(ids);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"BoshRoot: removing cgroups: {e.Message}");
        }
        try
        {
            if (MountsUnder(Root).Count > 0)
            {
                Console.Error.WriteLine($"BoshRoot: mounts remain under {Root}; not removing it");
            }
            else if (Directory.Exists(Root))
            {
                Run("rm", "-rf", "--one-file-system", "--", Root);
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"BoshRoot: removing {Root}: {e.Message}");
        }
    }

    private static void UnmountUnder(string root)
    {
        for (var pass = 0; pass < 5; pass++)
        {
            var mounts = MountsUnder(root);
            if (mounts.Count == 0)
            {
                return;
            }
            foreach (var m in mounts.OrderByDescending(m => m.Count(c => c == '/')).ThenByDescending(m => m.Length))
            {
                Run("umount", "-l", "--", m);
            }
        }
    }

    /// <summary>Mount points (from /proc/self/mountinfo) equal to or below ROOT.</summary>
    public static List<string> MountsUnder(string root)
    {
        var result = new List<string>();
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo"))
        {
            var f = line.Split(' ');
            if (f.Length < 5)
            {
                continue;
            }
            var mp = UnescapeMountPath(f[4]);
            if (mp == root || mp.StartsWith(root + "/", StringComparison.Ordinal))
            {
                result.Add(mp);
            }
        }
        return result;
    }

    private static string UnescapeMountPath(string s) =>
        Regex.Replace(s, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());

    private static void RemoveCgroups(IReadOnlyCollection<string> ids)
    {
        const string cgroupRoot = "/sys/fs/cgroup";
        if (ids.Count == 0 || !Directory.Exists(cgroupRoot))
        {
            return;
        }
        var parents = new HashSet<string>(StringComparer.Ordinal);
        var hierarchies = Directory.GetDirectories(cgroupRoot);
        foreach (var h in hierarchies)
        {
            parents.Add(h);
            try
            {
                foreach (var d1 in Directory.GetDirectories(h))
                {
                    parents.Add(d1);
                    foreach (var d2 in Directory.GetDirectories(d1))
                    {
                        parents.Add(d2);
                    }
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        // This process's own cgroups (bpm, our child, puts containers below its own).
        foreach (var line in File.ReadAllLines("/proc/self/cgroup"))
        {
            var f = line.Split(':', 3);
            if (f.Length != 3)
            {
                continue;
            }
            var controllers = f[1].Length == 0 ? ["unified"] : f[1].Split(',').Select(c => c.StartsWith("name=") ? c[5..] : c);
            foreach (var c in controllers)
            {
                parents.Add(Path.Combine(cgroupRoot, c) + f[2].TrimEnd('/'));
            }
        }
        foreach (var parent in parents)
        {
            foreach (var id in ids)
            {
                var dir = Path.Combine(parent, id);
                if (!Directory.Exists(dir))
                {
                    continue;
                }
                try
                {
                    var procs = Path.Combine(dir, "cgroup.procs");
                    if (File.Exists(procs))
                    {
                        foreach (var pid in File.ReadAllLines(procs).Where(l => l.Length > 0))
                        {
                            Run("kill", "-9", pid);
                        }
                    }
                    for (var i = 0; i < 20; i++)
                    {
                        try
                        {
                            Directory.Delete(dir, recursive: false);
                            break;
                        }
                        catch (IOException) when (i < 19)
                        {
                            Thread.Sleep(50);
                        }
                    }
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine($"BoshRoot: rmdir {dir}: {e.Message}");
                }
            }
        }
    }
}

/// <summary>Collects everything written to a pipe, readable while it is still being written.</summary>
public sealed class PipeCollector
{
    private readonly StringBuilder _sb = new();
    public Task Completion { get; }

    public PipeCollector(Stream stream)
    {
        Completion = Task.Run(async () =>
        {
            var decoder = Encoding.UTF8.GetDecoder();
            var buf = new byte[8192];
            var chars = new char[Encoding.UTF8.GetMaxCharCount(buf.Length)];
            int n;
            while ((n = await stream.ReadAsync(buf)) > 0)
            {
                var c = decoder.GetChars(buf, 0, n, chars, 0);
                lock (_sb)
                {
                    _sb.Append(chars, 0, c);
                }
            }
        });
    }

    public string Text
    {
        get
        {
            lock (_sb)
            {
                return _sb.ToString();
            }
        }
    }
}

/// <summary>A background command; Dispose kills its process tree.</summary>
public sealed class RunningCommand : IDisposable
{
    private readonly Process _p;
    public PipeCollector Stdout { get; }
    public PipeCollector Stderr { get; }

    private RunningCommand(Process p)
    {
        _p = p;
        Stdout = new PipeCollector(p.StandardOutput.BaseStream);
        Stderr = new PipeCollector(p.StandardError.BaseStream);
    }

    public static RunningCommand Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env)
    {
        var p = new Process { StartInfo = BoshRoot.MakeStartInfo(file, args, env) };
        p.Start();
        p.StandardInput.Close();
        return new RunningCommand(p);
    }

    public bool HasExited => _p.HasExited;
    public int ExitCode => _p.ExitCode;

    public void Dispose()
    {
        try
        {
            if (!_p.HasExited)
            {
                _p.Kill(entireProcessTree: true);
            }
            _p.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }
        _p.Dispose();
    }
}
