using Bpm.Host;
using Xunit;

namespace Bpm.Tests;

// Memory kills as the kernel logs them to /dev/kmsg; the oom-kill record was captured in the
// VM lane's cgroup v2 guest (systemd 252, kernel 6.1) after a job hit its 32M limit.
public class KernelLogTests
{
    private const string Scope = "system.slice/bpm-vm-test-service-bpm-bpm-hog.rfc2697a25342.scope";

    private static readonly string[] Records =
    [
        "6,2125,344249000,-;Memory cgroup stats for /system.slice/bpm-vm-test-service-bpm-bpm-hog.rfc2697a25342.scope:\n",
        "6,2140,344249700,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=bpm-vm-test-service-bpm-bpm-hog.rfc2697a25342.scope,mems_allowed=0,oom_memcg=/system.slice/bpm-vm-test-service-bpm-bpm-hog.rfc2697a25342.scope,task_memcg=/system.slice/bpm-vm-test-service-bpm-bpm-hog.rfc2697a25342.scope,task=bash,pid=784,uid=2000\n",
        "3,2141,344249735,-;Memory cgroup out of memory: Killed process 784 (bash) total-vm:35332kB, anon-rss:31496kB, file-rss:2680kB, shmem-rss:0kB, UID:2000 pgtables:104kB oom_score_adj:0\n",
        // Another job whose scope's name starts like this one's.
        "6,2200,350000000,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=x,mems_allowed=0,oom_memcg=/system.slice/bpm-vm-test-service-bpm-bpm-hog.rfc2697a25342.scope.x,task_memcg=/x,task=bash,pid=900,uid=2000\n",
    ];

    [Fact]
    public void CountsTheKillsOfTheCgroup() => Assert.Equal(1, KernelLog.OomKills(Records, Scope, 0));

    [Fact]
    public void OnlyThoseSinceTheContainerWasMade()
    {
        Assert.Equal(1, KernelLog.OomKills(Records, Scope, 344249700));
        Assert.Equal(0, KernelLog.OomKills(Records, Scope, 344249701));
    }

    [Fact]
    public void NotAnotherCgroups() => Assert.Equal(0, KernelLog.OomKills(Records, "system.slice/bpm-vm-test-service-bpm-bpm-web.scope", 0));

    [Fact]
    public void ToleratesGarbage() => Assert.Equal(0, KernelLog.OomKills(["", "no header", "x,y;oom-kill:oom_memcg=/" + Scope + ","], Scope, 0));

    [Fact]
    public void TheKernelsClockIsMonotonicSinceBoot()
    {
        var uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var now = KernelLog.MicrosSinceBoot(DateTimeOffset.UtcNow);
        Assert.InRange(now, 0, (long)((uptime + 5) * 1e6));
        Assert.True(KernelLog.MicrosSinceBoot(DateTimeOffset.UtcNow.AddSeconds(-10)) < now);
    }
}
