using Bpm.Identity;
using Bpm.Runc;

namespace Bpm.Lifecycle;

// bpm list: every process configured under jobs/ merged with the containers runc knows.
public static class Lister
{
    // A job whose bpm.yml cannot be used is reported (job, reason) and left out; the others are listed.
    public static List<ProcessStatus> List(BpmContext ctx, Action<string, string> reportInvalid)
    {
        var known = new Dictionary<string, RuncState>(StringComparer.Ordinal);
        foreach (var c in ctx.Runc.List()) known[c.Id] = c;

        var rows = new Dictionary<string, ProcessStatus>(StringComparer.Ordinal);
        if (Directory.Exists(ctx.Root.JobsDir))
        {
            foreach (var dir in Directory.EnumerateDirectories(ctx.Root.JobsDir).Order(StringComparer.Ordinal))
            {
                var job = Path.GetFileName(dir);
                if (!File.Exists(ctx.Root.ConfigPath(job))) continue;
                Config.JobConfig config;
                try
                {
                    config = JobLoader.LoadConfig(ctx.Root, job);
                }
                catch (BpmException e)
                {
                    reportInvalid(job, e.Message);
                    continue;
                }
                foreach (var p in config.Processes)
                {
                    var id = ContainerId.For(job, p.Name);
                    rows[id] = Row(ContainerId.Name(job, p.Name), job, p.Name, id, known.GetValueOrDefault(id));
                }
            }
        }
        foreach (var (id, state) in known)
        {
            if (rows.ContainsKey(id) || !id.StartsWith(ContainerId.Prefix, StringComparison.Ordinal)) continue;
            string name;
            try { name = ContainerId.Decode(id); }
            catch (BpmException) { continue; }
            rows[id] = Row(name, null, null, id, state);
        }
        return rows.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    private static ProcessStatus Row(string name, string? job, string? process, string id, RuncState? state) => state is null
        ? new ProcessStatus(name, job, process, id, null, "stopped")
        : new ProcessStatus(name, job, process, id, state.Pid > 0 && state.Status == "running" ? state.Pid : null, StatusName(state.Status));

    // runc's "stopped" means the process exited without bpm stopping it.
    public static string StatusName(string runcStatus) => runcStatus switch
    {
        "stopped" => "failed",
        _ => runcStatus,
    };
}
