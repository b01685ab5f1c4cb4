using Bpm.Bosh;
using Bpm.Host;
using Bpm.Runc;

namespace Bpm.Lifecycle;

// What every command shares: the BOSH root, the host's features and the runc client.
public sealed class BpmContext(BoshRoot root)
{
    private HostFeatures? _features;
    private RuncClient? _runc;

    public BoshRoot Root { get; } = root;
    public HostFeatures Features => _features ??= HostFeatures.Detect(Cgroups);
    public CgroupLayout Cgroups => CgroupLayout.Host;
    public RuncClient Runc => _runc ??= RuncClient.For(Root, Features.Systemd);

    public static BpmContext FromEnvironment() => new(BoshRoot.FromEnvironment());
}
