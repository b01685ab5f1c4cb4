using System.Globalization;
using System.Text;
using Bpm.Identity;
using Bpm.Lifecycle;
using Bpm.Status;

namespace Bpm.Host;

// The files beside a process's pidfile, in the root-only sys/run/bpm/JOB. Each is written whole
// (SafeFiles.WriteAtomic). Only the pidfile, which monit needs, is worth failing a command for.
public sealed class Records : IRecords
{
    public void AdoptPidFile(ProcessRef p, int pid)
    {
        var text = pid.ToString(CultureInfo.InvariantCulture);
        try
        {
            if (File.Exists(p.PidFile) && File.ReadAllText(p.PidFile) == text) return;
            Write(p, p.PidFile, text, 0x1a4 /* 0644 */);
        }
        catch (IOException) { }
    }

    public void RemovePidFile(ProcessRef p, int? onlyIfPid = null)
    {
        try
        {
            if (!File.Exists(p.PidFile)) return;
            if (onlyIfPid is { } pid && File.ReadAllText(p.PidFile) != pid.ToString(CultureInfo.InvariantCulture)) return;
            File.Delete(p.PidFile);
        }
        catch (IOException) when (onlyIfPid is not null) { }
    }

    public void WriteExit(ProcessRef p, string reason, DateTimeOffset at)
    {
        var line = at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) + " " + reason.ReplaceLineEndings(" ");
        try { Write(p, p.ExitFile, line, 0x180); }
        catch (Exception e) when (e is IOException or BpmException) { }
    }

    public string? ReadExit(ProcessRef p)
    {
        string text;
        try { text = File.ReadAllText(p.ExitFile).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        int space = text.IndexOf(' ');
        return space > 0 ? $"{text[(space + 1)..]} (at {text[..space]})" : null;
    }

    public long ReportedOomKills(ProcessRef p)
    {
        try { return CgroupText.Number(File.ReadAllText(p.OomCountFile)) ?? 0; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
    }

    public void SetReportedOomKills(ProcessRef p, long kills)
    {
        try { Write(p, p.OomCountFile, kills.ToString(CultureInfo.InvariantCulture), 0x180); }
        catch (Exception e) when (e is IOException or BpmException) { }
    }

    public void ForgetOomKills(ProcessRef p)
    {
        if (File.Exists(p.OomCountFile)) File.Delete(p.OomCountFile);
    }

    public ExitHistory ReadHistory(ProcessRef p)
    {
        try { return FileText.ReadBytes(p.HistoryFile) is { } bytes ? ExitHistory.FromJson(bytes) : ExitHistory.Empty; }
        catch (Exception e) when (e is IOException or BpmException) { return ExitHistory.Empty; }
    }

    public void WriteHistory(ProcessRef p, ExitHistory history)
    {
        try { Write(p, p.HistoryFile, history.ToJson(), 0x180); }
        catch (Exception e) when (e is IOException or BpmException) { }
    }

    public void MarkStopping(ProcessRef p, bool stopping)
    {
        try
        {
            if (stopping) Write(p, p.StoppingFile, "", 0x180);
            else if (File.Exists(p.StoppingFile)) File.Delete(p.StoppingFile);
        }
        catch (Exception e) when (e is IOException or BpmException) { }
    }

    public bool IsStopping(ProcessRef p) => File.Exists(p.StoppingFile);

    public void SetWaiter(ProcessRef p, int? pid)
    {
        if (pid is not { } w)
        {
            PidMarker.Remove(p.WaiterFile);
            return;
        }
        try { Directories.EnsureRootOwned(p.PidDir); }
        catch (Exception e) when (e is IOException or BpmException) { return; }
        PidMarker.Write(p.WaiterFile, w);
    }

    public int? LiveWaiter(ProcessRef p) => PidMarker.LivePid(p.WaiterFile);

    private static void Write(ProcessRef p, string file, string text, uint mode) => Write(p, file, Encoding.UTF8.GetBytes(text), mode);

    private static void Write(ProcessRef p, string file, byte[] content, uint mode)
    {
        Directories.EnsureRootOwned(p.PidDir);
        SafeFiles.WriteAtomic(file, content, mode);
    }
}
