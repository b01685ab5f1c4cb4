using System.Text.RegularExpressions;

namespace Bpm.IntegrationTests.RealReleases;

/// <summary>
/// One rendered bpm.yml of a real release's job (Fixtures/NAME.yml), with what the job needs
/// around it: the files of Fixtures/NAME/ (hooks and their helpers, laid under the root), what
/// its header asks the host to have before the start (`# host dir|file|socket: PATH`, since
/// mount_only paths and other jobs' files are not bpm's to make), and what its hook must have
/// done (`# gone: PATH`, `# vcap owns: PATH`). `((root))` in all of them is the throwaway BOSH
/// root, since volume and hook paths are host paths. The job's own directory, and that of every
/// other job a fixture lays files in, is laid as BOSH lays it (BoshJobDir).
/// </summary>
public sealed class Fixture
{
    public const string Placeholder = "((root))";

    private static readonly Regex Directive = new(@"^# (job|host dir|host file|host socket|gone|vcap owns): (\S+)\s*$", RegexOptions.Multiline);

    public string Name { get; }
    public string Job { get; }

    /// <summary>The public release it stands for (OWNER/REPO), from its first line.</summary>
    public string Release { get; }
    private readonly string _text;
    private readonly List<(string Kind, string Path)> _directives;

    private Fixture(string name, string text)
    {
        Name = name;
        _text = text;
        _directives = Directive.Matches(text).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Job = _directives.SingleOrDefault(d => d.Kind == "job").Path
            ?? throw new InvalidOperationException($"fixture {name} names no job (# job: NAME)");
        Release = Regex.Match(text, @"\A# Stands for ([\w.-]+/[\w.-]+)[ ,]") is { Success: true } m ? m.Groups[1].Value
            : throw new InvalidOperationException($"fixture {name} does not start with the release it stands for (# Stands for OWNER/REPO, ...)");
    }

    public static string Dir => Path.Combine(AppContext.BaseDirectory, "RealReleases", "Fixtures");

    public static IEnumerable<string> Names() =>
        Directory.GetFiles(Dir, "*.yml").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal);

    public static Fixture Load(string name) => new(name, File.ReadAllText(Path.Combine(Dir, name + ".yml")));

    /// <summary>What rendering changed for this host, to be said in the test's output.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>
    /// The bpm.yml under ROOT. An open_files limit above the hard limit bpm inherits is lowered to
    /// it where bpm cannot raise it (no CAP_SYS_RESOURCE, as in some sandboxes): runc would refuse
    /// the start, and every other shape of the file would go untested.
    /// </summary>
    public string Render(BoshRoot root) =>
        Regex.Replace(_text.Replace(Placeholder, root.Root), @"(?<=^\s*open_files: )(\d+)", m =>
        {
            var asked = long.Parse(m.Value);
            if (HostLimits.CanRaiseOpenFiles || asked <= HostLimits.OpenFilesHard)
            {
                return m.Value;
            }
            Notes.Add($"open_files {asked} lowered to {HostLimits.OpenFilesHard}, the hard limit this host's bpm cannot raise");
            return HostLimits.OpenFilesHard.ToString();
        }, RegexOptions.Multiline);

    private IEnumerable<string> Paths(BoshRoot root, string kind) =>
        _directives.Where(d => d.Kind == kind).Select(d => d.Path.Replace(Placeholder, root.Root));

    /// <summary>Paths the pre_start hook removes before the container starts.</summary>
    public IEnumerable<string> Gone(BoshRoot root) => Paths(root, "gone");

    /// <summary>Paths the pre_start hook gives to vcap.</summary>
    public IEnumerable<string> VcapOwned(BoshRoot root) => Paths(root, "vcap owns");

    /// <summary>Lays the job out under ROOT: its bpm.yml, its files, the host's paths and a stand-in for each executable.</summary>
    public IReadOnlyList<FixtureProcess> Lay(BoshRoot root)
    {
        var jobTarget = BoshJobDir.Lay(root, Job);
        var config = root.WriteJob(Job, Render(root));
        foreach (var dir in new[] { "bin", "config" })
        {
            File.SetUnixFileMode(Path.Combine(jobTarget, dir), BoshRoot.Mode755);
        }
        var tree = Path.Combine(Dir, Name);
        if (Directory.Exists(tree))
        {
            foreach (var file in Directory.GetFiles(tree, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(root.Root, Path.GetRelativePath(tree, file));
                LinkJobDirAbove(root, target);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllText(target, File.ReadAllText(file).Replace(Placeholder, root.Root));
                if (Path.GetRelativePath(tree, file).Split('/').SkipLast(1).Contains("bin"))
                {
                    File.SetUnixFileMode(target, BoshRoot.Mode755);
                }
            }
        }
        foreach (var dir in Paths(root, "host dir"))
        {
            LinkJobDirAbove(root, dir);
            Directory.CreateDirectory(dir);
        }
        foreach (var file in Paths(root, "host file"))
        {
            LinkJobDirAbove(root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, $"laid by the test for {Name}\n");
        }
        foreach (var path in Paths(root, "host socket"))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            // A socket whose listener has gone, as a killed server leaves it (.NET would unlink its own).
            var r = BoshRoot.Run("python3", "-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path);
            Assert.True(r.ExitCode == 0, $"making the socket {path}: {r}");
        }

        var processes = FixtureProcess.Parse(File.ReadAllText(config), Job);
        foreach (var p in processes)
        {
            foreach (var exe in p.StandInPaths)
            {
                var host = root.Root + exe["/var/vcap".Length..];
                if (!File.Exists(host))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(host)!);
                    File.WriteAllText(host, StandIn.Executable);
                    File.SetUnixFileMode(host, BoshRoot.Mode755);
                }
            }
            if (p.Hook is { } hook && !File.Exists(hook))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(hook)!);
                File.WriteAllText(hook, StandIn.Hook);
                File.SetUnixFileMode(hook, BoshRoot.Mode755);
            }
        }
        return processes;
    }

    // Another job's files (a config another job's glob reads, a script its route names) live in
    // that job's directory, which BOSH makes a link like this job's.
    private static void LinkJobDirAbove(BoshRoot root, string path)
    {
        var rel = Path.GetRelativePath(root.P("jobs"), path).Split('/');
        if (rel[0] != ".." && rel.Length > 1 && !Path.Exists(root.P("jobs", rel[0])))
        {
            BoshJobDir.Lay(root, rel[0]);
        }
    }

    public override string ToString() => Name;
}
