using Bpm.Host;
using Bpm.Spec;

namespace Bpm.Lifecycle;

// Gathers the host facts the spec builder needs.
public static class SpecFactory
{
    public static SpecContext Context(BpmContext ctx, JobProcess jp, UserIds vcap) => new()
    {
        Paths = jp.Paths,
        Vcap = vcap,
        Features = ctx.Features,
        Cgroups = ctx.Cgroups,
        DirectoryExists = Directory.Exists,
        Glob = Glob.Expand,
    };
}
