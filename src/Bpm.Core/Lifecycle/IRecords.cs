using Bpm.Identity;

namespace Bpm.Lifecycle;

// What bpm keeps beside a process's pidfile (sys/run/bpm/JOB): the pidfile monit watches, why
// the last container went, and how many memory kills were already reported.
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
}
