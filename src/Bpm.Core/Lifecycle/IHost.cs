using Bpm.Config;
using Bpm.Host;
using Bpm.Identity;
using Bpm.Status;

namespace Bpm.Lifecycle;

// What the lifecycle asks of the host: users, the job lock, directories and mounts, cgroups and
// processes.
public interface IHost
{
    // The job's user; throws a BpmException when the host has none.
    UserIds Vcap();

    FileLock Lock(ProcessRef p);

    // Lays out the job's directories and pins every mount source a job could write to or rename
    // under; returns the pins and the unrestricted volumes' matches, for the spec. Whatever it
    // pinned before failing is for ClearPins.
    MountSources Prepare(ProcessRef p, ProcessConfig config, UserIds owner);

    void ClearPins(ProcessRef p);

    // The process's stdout and stderr logs, opened to append; what a job planted there is moved aside.
    LogFiles OpenLogs(ProcessRef p, UserIds owner, IBpmLog log);

    // The figures of a container's cgroup; null when there is none. `since`: when the container was
    // made (under systemd its cgroup goes with its last process; its memory kills are in the kernel's log).
    CgroupStats? ReadCgroup(string cgroupsPath, DateTimeOffset? since);

    // Kills whatever is left in a container's cgroups and removes them.
    void Reap(string cgroupsPath);

    IExitWatch Watch(int pid);

    // runc returns from a detached start before tini has set up its signal handling, and until
    // then the kernel drops a TERM sent to the init of a pid namespace: waits (briefly) for it.
    void WaitForInit(int pid);

    // Runs the pre-start hook to completion; throws a BpmException when it fails or times out.
    void RunHook(ProcessRef p, string hook, IReadOnlyList<string> env, LogFiles logs);

    // The pid of a pre-start hook still running (a killed bpm's); null when there is none.
    int? LiveHook(ProcessRef p);

    // Kills a leftover hook with its process group, and forgets it.
    void KillHook(ProcessRef p, int pid);

    // Forgets a hook that has ended.
    void ForgetHook(ProcessRef p);
}

// Waits for a process that is not bpm's child to exit.
public interface IExitWatch : IDisposable
{
    bool WaitForExit(TimeSpan timeout);
}
