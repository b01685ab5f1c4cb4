using System.Globalization;
using System.Text;
using Bpm.Host;
using Bpm.Lifecycle;
using Bpm.Logging;

namespace Bpm.Status;

// Makes memory kills visible: whenever bpm looks at a job, kills the kernel counted in the
// container's cgroup since the last look are written to bpm.log. The count already reported
// is kept beside the pidfile, and forgotten when the container is replaced.
public static class OomWatch
{
    public static string CountFile(JobProcess jp) => Path.Join(jp.Paths.PidDir, jp.Process + ".oom");

    public static void Check(JobProcess jp, CgroupStats? stats, BpmLog log)
    {
        if (stats?.OomKills is not { } kills || kills <= 0) return;
        var file = CountFile(jp);
        long reported = 0;
        try { reported = CgroupText.Number(File.ReadAllText(file)) ?? 0; }
        catch (IOException) { }
        if (kills <= reported) return;
        log.Error("oom-killed", "a process of the job was killed by its memory limit",
            ("oom_kills", kills.ToString(CultureInfo.InvariantCulture)),
            ("memory_limit_bytes", stats.MemoryLimitBytes?.ToString(CultureInfo.InvariantCulture) ?? "none"));
        try
        {
            Directories.EnsureRootOwned(jp.Paths.PidDir);
            SafeFiles.WriteAtomic(file, Encoding.ASCII.GetBytes(kills.ToString(CultureInfo.InvariantCulture)), 0x180);
        }
        catch (Exception e) when (e is IOException or BpmException) { }
    }

    public static void Forget(JobProcess jp)
    {
        var file = CountFile(jp);
        if (File.Exists(file)) File.Delete(file);
    }
}
