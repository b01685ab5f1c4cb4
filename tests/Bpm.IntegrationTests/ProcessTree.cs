using System.Diagnostics;

namespace Bpm.IntegrationTests;

/// <summary>
/// A command started in the background whose own process tree the test inspects, found from
/// its pid through /proc (never by process name). Dispose kills what is left of that tree.
/// </summary>
public sealed class TreeCommand : IDisposable
{
    private readonly Process _p;
    private readonly HashSet<int> _seen = [];

    public int Pid => _p.Id;
    public PipeCollector Stdout { get; }
    public PipeCollector Stderr { get; }

    public TreeCommand(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env)
    {
        _p = new Process { StartInfo = BoshRoot.MakeStartInfo(file, args, env) };
        _p.Start();
        _p.StandardInput.Close();
        Stdout = new PipeCollector(_p.StandardOutput.BaseStream);
        Stderr = new PipeCollector(_p.StandardError.BaseStream);
    }

    public bool WaitForExit(TimeSpan timeout) => _p.WaitForExit(timeout);
    public int ExitCode => _p.ExitCode;

    /// <summary>Every live process below this one, remembered for Dispose.</summary>
    public List<int> Descendants()
    {
        var result = ProcessTree.Descendants(Pid);
        lock (_seen) _seen.UnionWith(result);
        return result;
    }

    public void Dispose()
    {
        try
        {
            if (!_p.HasExited) _p.Kill(entireProcessTree: true);
            _p.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }
        lock (_seen)
        {
            foreach (var pid in _seen.Where(ProcessTree.Alive)) BoshRoot.Run("kill", "-9", pid.ToString());
        }
        _p.Dispose();
    }
}

public static class ProcessTree
{
    /// <summary>The fields of /proc/PID/stat from field 3 (state) on, or null when PID is gone.</summary>
    public static string[]? StatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        return text[(text.LastIndexOf(')') + 2)..].Split(' ');
    }

    /// <summary>(ppid, state) of PID from /proc/PID/stat, or null when it is gone.</summary>
    public static (int PPid, char State)? Stat(int pid) =>
        StatFields(pid) is { } f ? (int.Parse(f[1]), f[0][0]) : null;

    /// <summary>Running or sleeping: not gone and not a zombie waiting to be reaped.</summary>
    public static bool Alive(int pid) => Stat(pid) is { } s && s.State is not ('Z' or 'X');

    public static List<int> Children(int pid)
    {
        var result = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var p) && Stat(p) is { } s && s.PPid == pid && s.State != 'Z')
            {
                result.Add(p);
            }
        }
        return result;
    }

    public static List<int> Descendants(int pid)
    {
        var result = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.Count > 0)
        {
            foreach (var c in Children(queue.Dequeue()))
            {
                result.Add(c);
                queue.Enqueue(c);
            }
        }
        return result;
    }
}
