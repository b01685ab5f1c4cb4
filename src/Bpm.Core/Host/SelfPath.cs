using System.Text;

namespace Bpm.Host;

// Where this bpm lives. `Called` is the path it was run by (/var/vcap/packages/bpm/bin/bpm), which a
// BOSH upgrade points at the new bpm; `Running` is the file that runs now
// (/var/vcap/data/packages/bpm/SHA/bin/bpm), which the upgrade later removes.
public static class SelfPath
{
    public static string Running => Environment.ProcessPath ?? "/proc/self/exe";

    public static string Directory => AppContext.BaseDirectory;

    public static string Called
    {
        get
        {
            var argv0 = Argv0();
            if (argv0 is { Length: > 0 } a)
            {
                var path = a.Contains('/') ? Path.GetFullPath(a) : Tools.TryFind(a);
                if (path is not null && File.Exists(path)) return path;
            }
            return Running;
        }
    }

    private static string? Argv0()
    {
        try
        {
            var bytes = FileText.ReadBytes("/proc/self/cmdline");
            if (bytes is null) return null;
            int end = Array.IndexOf(bytes, (byte)0);
            return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
        }
        catch (BpmException) { return null; }
    }
}
