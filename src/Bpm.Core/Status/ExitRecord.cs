using System.Globalization;
using System.Text;
using Bpm.Host;
using Bpm.Lifecycle;

namespace Bpm.Status;

// Why a process's last container went away, kept beside its pidfile for `bpm status`: the
// signal that stopped it, the exit status of a run, or a kill by the memory limit.
public static class ExitRecord
{
    public static string FileOf(JobProcess jp) => Path.Join(jp.Paths.PidDir, jp.Process + ".exit");

    public static void Write(JobProcess jp, string reason, DateTimeOffset at)
    {
        try
        {
            Directories.EnsureRootOwned(jp.Paths.PidDir);
            var line = at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) + " " + reason.ReplaceLineEndings(" ");
            SafeFiles.WriteAtomic(FileOf(jp), Encoding.UTF8.GetBytes(line), 0x180);
        }
        catch (Exception e) when (e is IOException or BpmException) { }
    }

    // "REASON (at TIME)", or null when nothing was recorded.
    public static string? Read(JobProcess jp)
    {
        string text;
        try { text = File.ReadAllText(FileOf(jp)).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        int space = text.IndexOf(' ');
        return space > 0 ? $"{text[(space + 1)..]} (at {text[..space]})" : null;
    }

    public static string OfExitStatus(int code, bool oomKilled) => code switch
    {
        _ when oomKilled && code > 128 => StatusReader.OomReason,
        > 128 => $"killed by signal {code - 128}",
        _ => $"exit status {code}",
    };
}
