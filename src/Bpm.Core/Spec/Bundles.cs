using System.Text.Json;
using Bpm.Config;
using Bpm.Host;
using Bpm.Identity;
using Bpm.Interop;
using Bpm.Lifecycle;
using Bpm.Oci;

namespace Bpm.Spec;

// data/bpm/bundles/JOB/PROC: config.json and an empty rootfs/. Root's alone. The rootfs is a small
// tmpfs of its own: runc makes a mount point in it for every mount of the spec, at every start, and
// a disk pays for each directory made there and removed with the bundle (on a disk without a
// journal about 0.2 ms each, some 8 ms a run); a tmpfs makes them in memory and goes with one
// unmount. The container only ever sees it as the empty "/" under its mounts.
public sealed class Bundles(Func<HostFeatures> features, Func<CgroupLayout> cgroups) : IBundles
{
    // Bundle dir → the cgroupsPath its config.json holds. The file is tens of kB, and a stop asks
    // twice (when it looks at the container and when it deletes it): it is read once a command.
    private readonly Dictionary<string, string?> _written = new(StringComparer.Ordinal);

    public void Write(ProcessRef p, ProcessConfig config, UserIds vcap, MountSources sources)
    {
        var spec = SpecBuilder.Build(config, new SpecContext
        {
            Paths = p,
            Vcap = vcap,
            Features = features(),
            Cgroups = cgroups(),
            DirectoryExists = Directory.Exists,
            Glob = pattern => sources.Globs.TryGetValue(pattern, out var matches) ? matches : [],
            StagedSources = sources.Staged,
        });
        var dir = p.BundleDir;
        Directories.EnsureRootOwned(p.JobBundlesDir);
        Directories.EnsureRootOwned(dir);
        // The container's "/" must be traversable by the job's user.
        var rootfs = Path.Join(dir, "rootfs");
        Directories.EnsureRootOwned(rootfs, 0x1ed /* 0755 */);
        // A killed bpm may have left one (a container of this bundle would have been settled first).
        Unmount.All(rootfs);
        if (Libc.Mount("bpm-rootfs", rootfs, "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV, "mode=755,size=1m,nr_inodes=4096") != 0)
            throw Libc.Error("mount tmpfs", rootfs);
        // Made afresh rather than through a temporary file and a rename, which would cost every
        // start time: the directory is root's alone, and runc reads the file only once it is
        // complete. Whatever had the name before (a leftover, a link) is unlinked, never written.
        var path = Path.Join(dir, "config.json");
        File.Delete(path);
        using var file = Fd.Open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW, 0x1a4 /* 0644 */);
        file.WriteAll(OciJson.Write(spec));
        _written[dir] = spec.Linux.CgroupsPath;
    }

    public bool Exists(ProcessRef p) => Directory.Exists(p.BundleDir);

    public void Remove(ProcessRef p)
    {
        _written.Remove(p.BundleDir);
        if (!Directory.Exists(p.BundleDir)) return;
        Unmount.All(Path.Join(p.BundleDir, "rootfs"));
        Directory.Delete(p.BundleDir, recursive: true);
    }

    public IReadOnlyList<string> Environment(ProcessRef p, ProcessConfig config) => SpecBuilder.Environment(config, p);

    public string CgroupsPath(ProcessRef p) => SpecBuilder.CgroupsPath(p, cgroups());

    public string? WrittenCgroupsPath(ProcessRef p)
    {
        if (_written.TryGetValue(p.BundleDir, out var known)) return known;
        return _written[p.BundleDir] = ReadCgroupsPath(p.BundleDir);
    }

    private static string? ReadCgroupsPath(string dir)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Join(dir, "config.json")));
            return doc.RootElement.GetProperty("linux").TryGetProperty("cgroupsPath", out var path) ? path.GetString() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}
