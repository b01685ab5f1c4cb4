using System.Globalization;
using Bpm.Identity;
using Bpm.Lifecycle;

namespace Bpm.Tests.Lifecycle;

// The records of one process, in memory.
public sealed class FakeRecords(Journal journal) : IRecords
{
    public int? PidFile { get; set; }
    public string? ExitReason { get; set; }
    public DateTimeOffset? ExitAt { get; private set; }
    public long ReportedOom { get; set; }

    public void AdoptPidFile(ProcessRef p, int pid)
    {
        journal.Note($"records.adoptPidFile {pid}");
        PidFile = pid;
    }

    public void RemovePidFile(ProcessRef p, int? onlyIfPid = null)
    {
        journal.Note(onlyIfPid is { } only ? $"records.removePidFile if {only}" : "records.removePidFile");
        if (onlyIfPid is null || PidFile == onlyIfPid) PidFile = null;
    }

    public void WriteExit(ProcessRef p, string reason, DateTimeOffset at)
    {
        journal.Note($"records.writeExit {reason}");
        ExitReason = reason;
        ExitAt = at;
    }

    public string? ReadExit(ProcessRef p)
    {
        journal.Note("records.readExit");
        return ExitReason is null ? null : $"{ExitReason} (at {ExitAt?.ToString("O", CultureInfo.InvariantCulture) ?? "?"})";
    }

    public long ReportedOomKills(ProcessRef p)
    {
        journal.Note("records.reportedOomKills");
        return ReportedOom;
    }

    public void SetReportedOomKills(ProcessRef p, long kills)
    {
        journal.Note($"records.setReportedOomKills {kills}");
        ReportedOom = kills;
    }

    public void ForgetOomKills(ProcessRef p)
    {
        journal.Note("records.forgetOomKills");
        ReportedOom = 0;
    }
}
