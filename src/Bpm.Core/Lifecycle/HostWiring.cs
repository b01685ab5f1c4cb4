using Bpm.Bosh;
using Bpm.Config;
using Bpm.Host;
using Bpm.Logging;
using Bpm.Runc;
using Bpm.Spec;

namespace Bpm.Lifecycle;

// The composition root: the lifecycle with the real runc, bundles, host, records, bpm.log,
// configs and clock. What the host offers is found out only when a command first asks (monit
// calls `bpm pid` all the time, which needs none of it).
public static class HostWiring
{
    public static JobLifecycle Create(BoshRoot root)
    {
        CgroupLayout Cgroups() => CgroupLayout.Host;
        HostFeatures? features = null;
        HostFeatures Features() => features ??= HostFeatures.Detect(Cgroups());
        var host = new HostSystem(Cgroups);
        return new JobLifecycle(root, RuncClient.For(root, () => Cgroups().Systemd, pid => WaiterCgroup.Adopt(Cgroups(), pid)), new Bundles(Features, Cgroups), host,
            new Records(), new BpmLogs(host.Vcap), new JobConfigs(root), new SystemClock());
    }

    public static JobLifecycle FromEnvironment() => Create(BoshRoot.FromEnvironment());
}
