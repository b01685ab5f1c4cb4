using Bpm.Host;

namespace Bpm.Lifecycle;

// Lays out the host side of a job before its container starts (contract §6).
public static class HostPreparation
{
    public sealed record LogFiles(Fd Stdout, Fd Stderr) : IDisposable
    {
        public void Dispose()
        {
            Stdout.Dispose();
            Stderr.Dispose();
        }
    }

    public static void Prepare(BpmContext ctx, JobProcess jp, UserIds owner)
    {
        var p = jp.Paths;
        var cfg = jp.Config;
        var root = ctx.Root;

        if (!ctx.Features.Systemd) Cgroups.EnsureV1Mounted();

        Directories.EnsureRootOwned(p.PidDir);
        foreach (var v in cfg.AdditionalVolumes)
        {
            var path = v.Path;
            SymlinkGuard.Check(root.Path, path);
            // A read-only volume over an existing directory must not hand that directory to the job.
            if (!v.MountOnly) Directories.Create(path, owner.Uid, owner.Gid, adopt: v.Writable);
            if (v.Shared) SharedVolumes.MakeShared(root, path);
        }

        Directories.Create(p.LogDir, owner.Uid, owner.Gid);
        Directories.Create(p.RunDir, owner.Uid, owner.Gid);
        // HOME and TMPDIR live in the data dir, so it exists even without ephemeral_disk.
        Directories.Create(p.DataDir, owner.Uid, owner.Gid);
        Directories.Create(p.TmpDir, owner.Uid, owner.Gid);
        if (cfg.PersistentDisk)
        {
            if (!Directory.Exists(p.StoreRoot)) throw new BpmException("requested persistent disk does not exist");
            Directories.Create(p.StoreDir, owner.Uid, owner.Gid);
        }

        // Mount sources a fresh VM may lack.
        foreach (var dir in new[] { p.PackagesDir, p.DataPackagesDir })
            if (!Directory.Exists(dir)) Directory.CreateDirectory(dir);
    }

    public static LogFiles OpenLogs(JobProcess jp, UserIds owner)
    {
        var stdout = SafeFiles.OpenAppend(jp.Paths.Stdout, owner.Uid, owner.Gid);
        try
        {
            return new LogFiles(stdout, SafeFiles.OpenAppend(jp.Paths.Stderr, owner.Uid, owner.Gid));
        }
        catch
        {
            stdout.Dispose();
            throw;
        }
    }
}
