using System.Globalization;
using Bpm.Identity;
using Bpm.Lifecycle;
using Bpm.Status;

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

    // Kept without notes in the journal: the sequences the tests check are runc's and the host's.
    public ExitHistory History { get; set; } = ExitHistory.Empty;
    public bool Stopping { get; set; }
    public int? Waiter { get; set; }
    // Whether the waiter is still running (what LiveWaiter answers).
    public bool WaiterAlive { get; set; }

    public ExitHistory ReadHistory(ProcessRef p) => History;

    public void WriteHistory(ProcessRef p, ExitHistory history) => History = history;

    public void MarkStopping(ProcessRef p, bool stopping) => Stopping = stopping;

    public bool IsStopping(ProcessRef p) => Stopping;

    public void SetWaiter(ProcessRef p, int? pid)
    {
        Waiter = pid;
        WaiterAlive = pid is not null;
    }

    public int? LiveWaiter(ProcessRef p) => WaiterAlive ? Waiter : null;
}
