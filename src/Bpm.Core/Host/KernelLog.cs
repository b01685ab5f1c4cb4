using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Bpm.Interop;

namespace Bpm.Host;

// The kernel's own record of memory kills (/dev/kmsg). Under systemd a container's cgroup is
// its scope's, and systemd removes it as soon as the container's last process is gone, with
// the kill count in it; the kernel logged each kill with the cgroup whose limit was hit.
public static class KernelLog
{
    // Kills counted against cgroup `relative` (below each hierarchy's root) in kmsg records
    // ("PRI,SEQ,MICROS,FLAGS;MESSAGE") logged at or after `sinceMicros` since boot.
    public static long OomKills(IEnumerable<string> records, string relative, long sinceMicros)
    {
        var needle = "oom_memcg=/" + relative.Trim('/') + ",";
        long kills = 0;
        foreach (var record in records)
        {
            int semi = record.IndexOf(';');
            if (semi < 0) continue;
            var head = record[..semi].Split(',');
            if (head.Length < 3 || !long.TryParse(head[2], NumberStyles.None, CultureInfo.InvariantCulture, out var micros)) continue;
            var message = record[(semi + 1)..];
            if (micros >= sinceMicros && message.StartsWith("oom-kill:", StringComparison.Ordinal) && message.Contains(needle, StringComparison.Ordinal))
                kills++;
        }
        return kills;
    }

    // When `at` was, in the kernel log's clock (microseconds of monotonic time since boot).
    public static long MicrosSinceBoot(DateTimeOffset at)
    {
        var monotonicMicros = Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000);
        return monotonicMicros - (long)((DateTimeOffset.UtcNow - at).TotalMilliseconds * 1000);
    }

    // Every record the kernel still holds; null when the log cannot be read.
    public static unsafe List<string>? Records()
    {
        int fd = Libc.Open("/dev/kmsg", Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        if (fd < 0) return null;
        using var handle = new Fd(fd);
        var records = new List<string>();
        var buf = new byte[8192];
        fixed (byte* p = buf)
        {
            while (true)
            {
                var n = Libc.Read(fd, p, buf.Length);
                if (n > 0) { records.Add(Encoding.UTF8.GetString(buf, 0, (int)n)); continue; }
                if (n < 0 && Marshal.GetLastPInvokeError() is Libc.EPIPE or Libc.EINTR) continue; // overwritten while reading
                return records;
            }
        }
    }
}
