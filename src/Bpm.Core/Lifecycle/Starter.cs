using Bpm.Host;
using Bpm.Logging;

namespace Bpm.Lifecycle;

// bpm start: one process of a job, detached, under the job lock.
public static class Starter
{
    public static void Start(BpmContext ctx, string job, string? process)
    {
        var jp = LoadForCommand(ctx, job, process, "start");
        using var held = FileLock.Acquire(jp.Paths.LockFile);
        using var log = new BpmLog("start", jp.Job, jp.Process);
        var vcap = Users.Lookup(Users.Vcap);
        OpenLog(log, jp.Paths, vcap, required: true);
        log.Info("starting");
        log.Failing(() =>
        {
            if (Launch.Prepare(ctx, jp, vcap, log) is not { } prepared) return;
            using var logs = prepared.Logs;
            int code;
            try
            {
                Launch.WriteBundle(ctx, jp, prepared, log);
                code = ctx.Runc.RunDetached(jp.Paths.BundleDir, jp.ContainerId, jp.Paths.PidFile, logs.Stdout, logs.Stderr, held);
            }
            catch
            {
                MountStage.Clear(ctx.Root, jp.ContainerId);
                throw;
            }
            if (code != 0)
            {
                if (ctx.Runc.Exists(jp.ContainerId)) ctx.Runc.Delete(jp.ContainerId, force: true);
                MountStage.Clear(ctx.Root, jp.ContainerId);
                throw new BpmException($"failed to start job-process: runc run exited with status {code} (see {jp.Paths.Stderr})");
            }
            log.Info("complete");
        });
    }

    // The original wraps config problems for start and run in this prefix.
    internal static JobProcess LoadForCommand(BpmContext ctx, string job, string? process, string command)
    {
        try
        {
            return JobLoader.Load(ctx.Root, job, process);
        }
        catch (Config.ConfigException e) when (command is "start" or "run")
        {
            throw new BpmException($"failed to parse job configuration: {e.Message}", e);
        }
    }

    // bpm.log sits in the job's log dir, which the first start creates.
    internal static void OpenLog(BpmLog log, Bosh.JobPaths paths, UserIds vcap, bool required)
    {
        Directories.Create(paths.LogDir, vcap.Uid, vcap.Gid);
        log.Open(paths.BpmLog, vcap, required);
    }
}
