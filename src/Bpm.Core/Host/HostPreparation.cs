using Bpm.Config;
using Bpm.Identity;

namespace Bpm.Host;

// Lays out the host side of a job before its container starts (contract §6).
public static class HostPreparation
{
    // Returns the staging mounts that pin every mount source a job could write to or rename
    // under (see MountStage), and what the unrestricted volumes matched; the caller clears the
    // pins when it fails.
    public static MountSources Prepare(CgroupLayout cgroups, ProcessRef p, ProcessConfig cfg, UserIds owner)
    {
        var root = p.Root;
        CgroupMounts.EnsureV1(cgroups);

        Directories.EnsureRootOwned(p.PidDir);
        var stage = MountStage.Begin(p);
        foreach (var v in cfg.AdditionalVolumes)
        {
            var path = v.Path;
            SymlinkGuard.Check(root.Path, path);
            using var source = VolumeSources.Open(v, owner);
            if (v.Shared)
            {
                using var shared = SharedVolumes.MakeShared(root, path, source);
                stage.Pin(path, shared);
            }
            else stage.Pin(path, source);
        }
        // Unrestricted volumes are not checked, but they are pinned all the same: a match in a
        // directory a job can write to could be swapped as well.
        var globs = cfg.Unsafe.UnrestrictedVolumes.Select(v => v.Path).Distinct(StringComparer.Ordinal)
            .ToDictionary(pattern => pattern, Glob.Expand, StringComparer.Ordinal);
        foreach (var match in globs.Values.SelectMany(m => m))
        {
            using var source = VolumeSources.OpenMatch(match);
            stage.Pin(match, source);
        }

        using (var log = Directories.Open(p.LogDir, owner.Uid, owner.Gid)) stage.Pin(p.LogDir, log);
        Directories.Create(p.RunDir, owner.Uid, owner.Gid);
        // HOME and TMPDIR live in the data dir, so it exists even without ephemeral_disk.
        using (var data = Directories.Open(p.DataDir, owner.Uid, owner.Gid))
            if (cfg.EphemeralDisk) stage.Pin(p.DataDir, data);
        using (var tmp = Directories.Open(p.TmpDir, owner.Uid, owner.Gid)) stage.Pin(p.TmpDir, tmp);
        if (cfg.PersistentDisk)
        {
            if (!Directory.Exists(p.StoreRoot)) throw new BpmException("requested persistent disk does not exist");
            using var store = Directories.Open(p.StoreDir, owner.Uid, owner.Gid);
            stage.Pin(p.StoreDir, store);
        }

        // Mount sources a fresh VM may lack.
        foreach (var dir in new[] { p.PackagesDir, p.DataPackagesDir })
            if (!Directory.Exists(dir)) Directory.CreateDirectory(dir);
        return new MountSources(stage.Sources, globs);
    }

    // A name the job took with something else is moved aside, and `movedAside` hears of it.
    public static LogFiles OpenLogs(ProcessRef p, UserIds owner, Action<string, string> movedAside)
    {
        var stdout = SafeFiles.OpenAppend(p.Stdout, owner.Uid, owner.Gid, movedAside);
        try
        {
            return new LogFiles(stdout, SafeFiles.OpenAppend(p.Stderr, owner.Uid, owner.Gid, movedAside));
        }
        catch
        {
            stdout.Dispose();
            throw;
        }
    }
}
