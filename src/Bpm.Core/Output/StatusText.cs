using System.Globalization;
using System.Text;
using Bpm.Status;

namespace Bpm.Output;

// The human form of `bpm status`: one "key: value" line per figure the host reported.
public static class StatusText
{
    public static string Format(StatusReport r)
    {
        var rows = new List<string[]>
        {
            new[] { "job:", r.Job },
            new[] { "process:", r.Process },
            new[] { "container:", r.ContainerId },
            new[] { "state:", r.State },
        };
        if (r.Pid is { } pid) rows.Add(["pid:", pid.ToString(CultureInfo.InvariantCulture)]);
        if (r.StartedAt is { } started)
            rows.Add(["started:", started.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)
                + (r.UptimeSeconds is { } up ? $" (up {Duration(up)})" : "")]);
        if (r.MemoryBytes is { } mem)
        {
            var extra = new List<string>();
            if (r.MemoryPeakBytes is { } peak) extra.Add("peak " + Bytes(peak));
            extra.Add("limit " + (r.MemoryLimitBytes is { } lim ? Bytes(lim) : "none"));
            rows.Add(["memory:", $"{Bytes(mem)} ({string.Join(", ", extra)})"]);
        }
        if (r.Pids is { } pids) rows.Add(["pids:", $"{pids} (limit {(r.PidsLimit is { } pl ? pl.ToString(CultureInfo.InvariantCulture) : "none")})"]);
        if (r.CpuSeconds is { } cpu) rows.Add(["cpu:", cpu.ToString("0.000", CultureInfo.InvariantCulture) + " s"]);
        if (r.OomKills is { } oom) rows.Add(["oom kills:", oom.ToString(CultureInfo.InvariantCulture)]);
        if (r.ExitReason is { } reason) rows.Add(["exit reason:", reason]);
        if (r.End is { } end) rows.Add(["exit:", end.Describe()]);
        if (r.LastExit is { } last) rows.Add(["last exit:", last.Describe()]);
        if (r.Restarts > 0) rows.Add(["restarts:", r.Restarts.ToString(CultureInfo.InvariantCulture)]);
        return TableWriter.Format(rows);
    }

    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1) { value /= 1024; unit++; }
        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    public static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Floor(seconds));
        var sb = new StringBuilder();
        if (t.Days > 0) sb.Append(t.Days).Append('d');
        if (t.Hours > 0 || sb.Length > 0) sb.Append(t.Hours).Append('h');
        if (t.Minutes > 0 || sb.Length > 0) sb.Append(t.Minutes).Append('m');
        sb.Append(t.Seconds).Append('s');
        return sb.ToString();
    }
}
