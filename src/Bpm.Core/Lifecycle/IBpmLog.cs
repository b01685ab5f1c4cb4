using Bpm.Identity;

namespace Bpm.Lifecycle;

// bpm.log in the job's log dir: what each command did to the job.
public interface IBpmLog : IDisposable
{
    // Start and run fail when the log cannot be opened (`required`); other commands go on without
    // it. Without `create`, a log dir that is not there is left so, and nothing is written.
    // True when the log is open.
    bool Open(bool required, bool create = true);

    void Info(string eventName, params (string Key, string Value)[] data);

    void Error(string eventName, string error, params (string Key, string Value)[] data);
}

public interface IBpmLogs
{
    // A log for one command on one process, not yet open.
    IBpmLog For(string command, ProcessRef p);
}
