using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Bpm.IntegrationTests.Hardening;

/// <summary>Assertions and tools shared by the hardening tests.</summary>
internal static class Hx
{
    /// <summary>A failure as the contract wants it: non-zero exit, one line "Error: ..." on stderr, no stack trace.</summary>
    public static void AssertCleanError(CommandResult r, string? contains = null)
    {
        Assert.False(r.TimedOut, "command timed out: " + r);
        Assert.True(r.ExitCode != 0, "expected a failure: " + r);
        AssertNoStackTrace(r);
        var lines = r.Stderr.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1 && lines[0].StartsWith("Error: ", StringComparison.Ordinal),
            "stderr is not one line starting with 'Error: ': " + r);
        if (contains is not null)
        {
            Assert.Contains(contains, r.Stderr);
        }
    }

    /// <summary>Either a success, or a clean failure.</summary>
    public static void AssertSuccessOrCleanError(CommandResult r)
    {
        if (r.ExitCode == 0 && !r.TimedOut)
        {
            AssertNoStackTrace(r);
            return;
        }
        AssertCleanError(r);
    }

    public static void AssertNoStackTrace(CommandResult r)
    {
        foreach (var text in new[] { r.Stdout, r.Stderr })
        {
            Assert.False(Regex.IsMatch(text, @"(?m)^\s+at \S"), "stack trace in output: " + r);
            Assert.DoesNotContain("Unhandled exception", text);
        }
    }

    /// <summary>key=value lines of a probe's output; a key may repeat.</summary>
    public static Dictionary<string, List<string>> KeyValues(string stdout)
    {
        var kv = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in stdout.Split('\n'))
        {
            var i = line.IndexOf('=');
            if (i <= 0)
            {
                continue;
            }
            var key = line[..i];
            if (!kv.TryGetValue(key, out var list))
            {
                kv[key] = list = [];
            }
            list.Add(line[(i + 1)..]);
        }
        return kv;
    }

    public static string One(Dictionary<string, List<string>> kv, string key, string context) =>
        kv.TryGetValue(key, out var v) && v.Count == 1
            ? v[0]
            : throw new Xunit.Sdk.XunitException($"probe printed {(kv.TryGetValue(key, out var w) ? w.Count : 0)} lines '{key}=', want one:\n{context}");

    /// <summary>Runs bpm on ROOT with extra environment (e.g. a PATH without runc).</summary>
    public static CommandResult BpmEnv(BoshRoot root, IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var all = new Dictionary<string, string>(env) { ["BPM_BOSH_ROOT"] = root.Root };
        return BoshRoot.Exec(BoshRoot.BpmBin, args, all, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
    }

    /// <summary>Runs bpm with a deadline (default 10 s); the result says whether it was killed for taking longer.</summary>
    public static CommandResult BpmWithin(BoshRoot root, TimeSpan deadline, params string[] args) =>
        BoshRoot.Exec(BoshRoot.BpmBin, args, new Dictionary<string, string> { ["BPM_BOSH_ROOT"] = root.Root }, deadline)
            .GetAwaiter().GetResult();

    // ------------------------------------------------------------ processes

    /// <summary>Pids whose command line contains MARKER (excluding this test process).</summary>
    public static List<int> PidsWithMarker(string marker)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(marker, StringComparison.Ordinal) && Alive(pid))
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return pids;
    }

    /// <summary>True when PID exists and is not a zombie.</summary>
    public static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return !state.StartsWith('Z') && !state.StartsWith('X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>SIGKILLs each pid (cleanup of processes a test started; never by name).</summary>
    public static void KillPids(IEnumerable<int> pids)
    {
        foreach (var pid in pids)
        {
            BoshRoot.Run("kill", "-9", pid.ToString());
        }
    }

    /// <summary>A unique token for command lines and file names.</summary>
    public static string Token(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    // ------------------------------------------------------------ state of a root

    /// <summary>Everything bpm may leave behind for one root: containers, mounts, cgroups, bundles, pidfiles, lock holders.</summary>
    public sealed record Leftovers(int Containers, int Mounts, int Cgroups, int Bundles, int PidFiles, int LockHolders)
    {
        public bool None => Containers + Mounts + Cgroups + Bundles + PidFiles + LockHolders == 0;

        public override string ToString() =>
            $"containers={Containers} mounts={Mounts} cgroups={Cgroups} bundles={Bundles} pidfiles={PidFiles} lock-holders={LockHolders}";
    }

    public static Leftovers Count(BoshRoot root, IReadOnlyCollection<string> containerIds)
    {
        var containers = root.RuncList().Length;
        var mounts = BoshRoot.MountsUnder(root.Root).Count;
        var cgroups = CgroupDirs([.. containerIds, .. containerIds.Select(id => CgroupNames.Leaf(root.Root, id))]).Count;
        var bundlesDir = root.P("data", "bpm", "bundles");
        var bundles = Directory.Exists(bundlesDir)
            ? Directory.GetDirectories(bundlesDir).Sum(j => Directory.GetDirectories(j).Length)
            : 0;
        var pidDir = root.P("sys", "run", "bpm");
        var pidFiles = Directory.Exists(pidDir) ? Directory.GetFiles(pidDir, "*.pid", SearchOption.AllDirectories).Length : 0;
        return new Leftovers(containers, mounts, cgroups, bundles, pidFiles, LockHolders(root));
    }

    /// <summary>Cgroup directories named after one of IDS in any hierarchy (at depth 1 to 3).</summary>
    public static List<string> CgroupDirs(IReadOnlyCollection<string> ids)
    {
        var found = new List<string>();
        const string mount = "/sys/fs/cgroup";
        if (ids.Count == 0 || !Directory.Exists(mount))
        {
            return found;
        }
        var idSet = ids.ToHashSet(StringComparer.Ordinal);
        void Walk(string dir, int depth)
        {
            string[] children;
            try
            {
                children = Directory.GetDirectories(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return;
            }
            foreach (var c in children)
            {
                if (idSet.Contains(Path.GetFileName(c)))
                {
                    found.Add(c);
                }
                else if (depth < 3)
                {
                    Walk(c, depth + 1);
                }
            }
        }
        Walk(mount, 0);
        return found;
    }

    /// <summary>Processes holding a lock file of ROOT open (from /proc/*/fd).</summary>
    public static int LockHolders(BoshRoot root)
    {
        var locks = root.P("data", "bpm", "locks") + "/";
        var holders = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
            {
                continue;
            }
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                {
                    var target = new FileInfo(fd).LinkTarget;
                    if (target is not null && target.StartsWith(locks, StringComparison.Ordinal))
                    {
                        holders++;
                        break;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return holders;
    }

    /// <summary>Writes an executable file (mode 0755).</summary>
    public static void WriteExecutable(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, BoshRoot.Mode755);
    }
}

/// <summary>
/// A root-owned directory outside the BOSH root, holding a file, that an attacker wants bpm (root)
/// to write to, chown or chmod. Dispose removes it.
/// </summary>
internal sealed class Victim : IDisposable
{
    public string Dir { get; }
    public string File { get; }
    public const string Content = "precious: must never change\n";
    private readonly (int Uid, int Gid, string Mode) _fileBefore;
    private readonly (int Uid, int Gid, string Mode) _dirBefore;

    public Victim()
    {
        Dir = Path.Combine("/tmp", "victim-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Dir);
        File = Path.Combine(Dir, "secret");
        System.IO.File.WriteAllText(File, Content);
        System.IO.File.SetUnixFileMode(File, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        System.IO.File.SetUnixFileMode(Dir, BoshRoot.Mode755);
        _fileBefore = BoshRoot.Stat(File);
        _dirBefore = BoshRoot.Stat(Dir);
    }

    /// <summary>Content, owner and mode of the file and the directory are unchanged, and nothing was added.</summary>
    public void AssertUntouched()
    {
        Assert.Equal(Content, System.IO.File.ReadAllText(File));
        Assert.Equal(_fileBefore, BoshRoot.Stat(File));
        Assert.Equal(_dirBefore, BoshRoot.Stat(Dir));
        Assert.Equal([File], Directory.GetFileSystemEntries(Dir));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// Watches for anything written outside a BOSH root: the places a name with ".." or an absolute
/// path could land (/, /tmp, /var, /etc and the root's parent) and /var/vcap itself. Other programs
/// write to /tmp at the same time, so only new entries that bpm could have made are counted: those
/// with a name bpm uses, or containing one of the hostile tokens.
/// </summary>
internal sealed class EscapeWatch
{
    private static readonly string[] Places = ["/", "/tmp", "/var", "/etc"];
    private static readonly Regex BpmNames = new(
        @"^(jobs|data|sys|store|packages|config|log|run|bpm|bpm\.log|tmp|locks|bundles|bpm-runc|rootfs|config\.json|.*\.(stdout|stderr)\.log|job-.*\.lock|vol-[0-9a-f]+\.lock)$",
        RegexOptions.CultureInvariant);

    private readonly Dictionary<string, HashSet<string>> _before = new(StringComparer.Ordinal);
    private readonly bool _varVcapBefore;
    private readonly string[] _tokens;

    public EscapeWatch(BoshRoot root, params string[] tokens)
    {
        _tokens = tokens;
        foreach (var place in Places.Append(Path.GetDirectoryName(root.Root)!).Distinct())
        {
            _before[place] = List(place);
        }
        _varVcapBefore = Path.Exists("/var/vcap");
    }

    private static HashSet<string> List(string dir) =>
        Directory.Exists(dir) ? Directory.GetFileSystemEntries(dir).Select(e => Path.GetFileName(e)).ToHashSet(StringComparer.Ordinal) : [];

    public void AssertNothingEscaped()
    {
        Assert.True(_varVcapBefore || !Path.Exists("/var/vcap"), "/var/vcap was created");
        foreach (var (place, before) in _before)
        {
            var suspicious = List(place).Except(before)
                .Where(n => BpmNames.IsMatch(n) || _tokens.Any(t => n.Contains(t, StringComparison.Ordinal)))
                .ToList();
            Assert.True(suspicious.Count == 0, $"written outside the BOSH root, in {place}: {string.Join(", ", suspicious)}");
        }
    }
}

/// <summary>
/// Replaces ROOT/packages/bpm/bin/runc with a wrapper that, for the given runc subcommands, records
/// that it was reached (file ROOT/gate.reached.CMD) and then waits for the gate to be opened
/// (file ROOT/gate.open), before or after running the real runc; when the real runc has returned
/// and the gate passed, it records ROOT/gate.done.CMD. Lets a test SIGKILL bpm while it is at a
/// known step, and know when the orphaned runc has finished. Once opened, the gate stays open.
/// </summary>
internal sealed class RuncGate
{
    private readonly BoshRoot _root;
    public string OpenFile => _root.P("gate.open");
    public string Reached(string cmd) => _root.P("gate.reached." + cmd);
    public string Done(string cmd) => _root.P("gate.done." + cmd);

    /// <summary>BEFORE: gate before the real runc runs; otherwise after it ran (before the wrapper exits).</summary>
    public RuncGate(BoshRoot root, string[] commands, bool before = true)
    {
        _root = root;
        var wrapper = root.P("packages", "bpm", "bin", "runc");
        File.Delete(wrapper);
        var runc = BoshRoot.RuncPath;
        var gated = before
            ? $"gate; {runc} \"$@\"; rc=$?; touch \"{root.Root}/gate.done.$cmd\"; exit $rc"
            : $"{runc} \"$@\"; rc=$?; gate; touch \"{root.Root}/gate.done.$cmd\"; exit $rc";
        Hx.WriteExecutable(wrapper, $$"""
            #!/bin/sh
            gate() {
              touch "{{root.Root}}/gate.reached.$cmd"
              i=0
              while [ ! -e "{{OpenFile}}" ] && [ $i -lt 2000 ]; do sleep 0.01; i=$((i+1)); done
            }
            # The runc subcommand is the first argument that is not an option (--root takes a value).
            cmd=""; skip=0
            for a in "$@"; do
              if [ $skip = 1 ]; then skip=0; continue; fi
              case "$a" in
                --root|--log|--log-format|--criu) skip=1 ;;
                -*) ;;
                *) cmd="$a"; break ;;
              esac
            done
            case "$cmd" in
              {{string.Join("|", commands)}}) {{gated}} ;;
            esac
            exec {{runc}} "$@"
            """);
    }

    public void Open() => File.WriteAllText(OpenFile, "");
}

/// <summary>A bpm command in the background whose pid is known, to be SIGKILLed (bpm alone, not its children).</summary>
internal sealed class BackgroundBpm : IDisposable
{
    private readonly Process _p;
    public PipeCollector Stdout { get; }
    public PipeCollector Stderr { get; }

    public BackgroundBpm(BoshRoot root, params string[] args)
    {
        var psi = new ProcessStartInfo(BoshRoot.BpmBin)
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
        psi.Environment["BPM_BOSH_ROOT"] = root.Root;
        _p = Process.Start(psi)!;
        _p.StandardInput.Close();
        Stdout = new PipeCollector(_p.StandardOutput.BaseStream);
        Stderr = new PipeCollector(_p.StandardError.BaseStream);
    }

    public bool HasExited => _p.HasExited;

    /// <summary>SIGKILL to bpm only: runc and the container, if started, live on as they would on a real crash.</summary>
    public void KillBpm()
    {
        try
        {
            _p.Kill(entireProcessTree: false);
        }
        catch (InvalidOperationException)
        {
        }
        _p.WaitForExit(10_000);
    }

    public void Dispose()
    {
        KillBpm();
        _p.Dispose();
    }
}

/// <summary>String helpers for YAML.</summary>
internal static class Yaml
{
    /// <summary>A double-quoted YAML scalar.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }
}
