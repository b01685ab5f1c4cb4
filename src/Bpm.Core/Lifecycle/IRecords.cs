using Bpm.Identity;
using Bpm.Status;

namespace Bpm.Lifecycle;

// What bpm keeps beside a process's pidfile (sys/run/bpm/JOB): the pidfile monit watches, why
// the last container went, how many memory kills were already reported, how its containers
// ended, and the waiter of the running one.
public interface IRecords
{
    // Records a running container's pid, for monit, unless the pidfile says so already.
    void AdoptPidFile(ProcessRef p, int pid);

    // Removes the pidfile; with `onlyIfPid`, only when it names that pid.
    void RemovePidFile(ProcessRef p, int? onlyIfPid = null);

    void WriteExit(ProcessRef p, string reason, DateTimeOffset at);

    // "REASON (at TIME)", or null when nothing was recorded.
    string? ReadExit(ProcessRef p);

    long ReportedOomKills(ProcessRef p);

    void SetReportedOomKills(ProcessRef p, long kills);

    void ForgetOomKills(ProcessRef p);

    // Empty when nothing was recorded, or the record cannot be read.
    ExitHistory ReadHistory(ProcessRef p);

    void WriteHistory(ProcessRef p, ExitHistory history);

    // Set by bpm stop before it signals, so that the end it causes is told from one on its own.
    void MarkStopping(ProcessRef p, bool stopping);

    bool IsStopping(ProcessRef p);

    // The waiter of the running container; null forgets it.
    void SetWaiter(ProcessRef p, int? pid);

    // The recorded waiter's pid while that very process still runs, else null.
    int? LiveWaiter(ProcessRef p);
}
