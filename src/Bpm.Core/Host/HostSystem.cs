using Bpm.Config;
using Bpm.Identity;
using Bpm.Lifecycle;
using Bpm.Status;

namespace Bpm.Host;

// The real host, as the lifecycle sees it.
public sealed class HostSystem(Func<CgroupLayout> cgroups) : IHost
{
    private UserIds? _vcap;

    public UserIds Vcap() => _vcap ??= Users.Lookup(Users.Vcap);

    public FileLock Lock(ProcessRef p) => FileLock.Acquire(p.LockFile);

    public MountSources Prepare(ProcessRef p, ProcessConfig config, UserIds owner) =>
        HostPreparation.Prepare(cgroups(), p, config, owner);

    public void ClearPins(ProcessRef p) => MountStage.Clear(p);

    public LogFiles OpenLogs(ProcessRef p, UserIds owner, IBpmLog log) =>
        HostPreparation.OpenLogs(p, owner, (old, @new) => log.Info("moved-aside", ("old", old), ("new", @new)));

    public CgroupStats? ReadCgroup(string cgroupsPath, DateTimeOffset? since) => ContainerCgroup.Read(cgroups(), cgroupsPath, since);

    public void Reap(string cgroupsPath) => CgroupReaper.KillAndRemove(cgroups(), cgroupsPath);

    public IExitWatch Watch(int pid) => ProcessWatch.Open(pid);

    // tini ignores TTIN and TTOU once its signal handling is ready.
    public void WaitForInit(int pid)
    {
        const ulong ready = (1UL << (21 - 1)) | (1UL << (22 - 1));
        var deadline = Environment.TickCount64 + 2000;
        while (ProcStatus.Bits(pid, "SigIgn") is { } ignored && (ignored & ready) != ready && Environment.TickCount64 < deadline)
            Thread.Sleep(1);
    }

    public void RunHook(ProcessRef p, string hook, IReadOnlyList<string> env, LogFiles logs) => PreStartHook.Run(p, hook, env, logs);

    public int? LiveHook(ProcessRef p) => PreStartMarker.LivePid(p);

    public void KillHook(ProcessRef p, int pid) => PreStartHook.Kill(p, pid);

    public void ForgetHook(ProcessRef p) => PreStartMarker.Remove(p);
}
