using Bpm.Bosh;
using Bpm.Config;
using Bpm.Identity;

namespace Bpm.Lifecycle;

// Every decision bpm makes about a process's container: start, stop, run, and what pid, status
// and list report. It reaches runc, the bundle, the host, the records, bpm.log, the configs and
// the clock only through its seams, so that each decision can be tested without them
// (HostWiring puts in the real ones).
public sealed partial class JobLifecycle(
    BoshRoot root, IRunc runc, IBundles bundles, IHost host, IRecords records, IBpmLogs logs, IJobConfigs configs, IClock clock)
{
    public BoshRoot Root => root;

    public ProcessRef Ref(string job, string? process = null) => ProcessRef.Of(root, job, process);

    // The configured process; the original wraps config problems for start and run in a prefix.
    private ProcessConfig ConfigFor(ProcessRef p, string command)
    {
        JobConfig config;
        try
        {
            config = configs.Load(p.Job);
        }
        catch (ConfigException e) when (command is "start" or "run")
        {
            throw new BpmException($"failed to parse job configuration: {e.Message}", e);
        }
        return Find(config, p);
    }

    private static ProcessConfig Find(JobConfig config, ProcessRef p) =>
        config.Find(p.Process)
        ?? throw new BpmException($"process \"{p.Process}\" not present in job configuration ({p.ConfigFile})");

    // Runs a command's body, recording a failure in bpm.log before it reaches the operator; a
    // defect (a bug in bpm) with its stack trace.
    internal static T Failing<T>(IBpmLog log, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (Defect.Is(e))
        {
            log.Error("failed", Defect.OneLine(e), ("stack_trace", e.ToString()));
            throw;
        }
        catch (Exception e)
        {
            log.Error("failed", e.Message);
            throw;
        }
    }
}
