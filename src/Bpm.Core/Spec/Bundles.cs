using System.Text.Json;
using Bpm.Config;
using Bpm.Host;
using Bpm.Identity;
using Bpm.Interop;
using Bpm.Lifecycle;
using Bpm.Oci;

namespace Bpm.Spec;

// data/bpm/bundles/JOB/PROC: config.json and an empty rootfs/. Root's alone. The bundle is a small
// tmpfs of its own: runc makes a mount point in the rootfs for every mount of the spec, at every
// start, and a disk pays for each directory made there and removed with the bundle (on a disk
// without a journal about 0.2 ms each, some 8 ms a run); a tmpfs makes them in memory, and the
// whole bundle goes with one unmount and one rmdir. The container only ever sees the rootfs as
// the empty "/" under its mounts.
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
        // A killed bpm, or an earlier start, may have left one (a container of this bundle would
        // have been settled first).
        Remove(p);
        Directories.EnsureRootOwned(p.JobBundlesDir);
        Directories.EnsureRootOwned(dir);
        if (Libc.Mount("bpm-bundle", dir, "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV, "mode=700,size=1m,nr_inodes=4096") != 0)
            throw Libc.Error("mount tmpfs", dir);
        // The container's "/" must be traversable by the job's user.
        Directories.EnsureRootOwned(Path.Join(dir, "rootfs"), 0x1ed /* 0755 */);
        // Made afresh rather than through a temporary file and a rename, which would cost every
        // start time: the fresh tmpfs is root's alone, and runc reads the file only once it is
        // complete.
        var path = Path.Join(dir, "config.json");
        using var file = Fd.Open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW, 0x1a4 /* 0644 */);
        file.WriteAll(OciJson.Write(spec));
        _written[dir] = spec.Linux.CgroupsPath;
    }

    public bool Exists(ProcessRef p) => Directory.Exists(p.BundleDir);

    public void Remove(ProcessRef p)
    {
        var dir = p.BundleDir;
        _written.Remove(dir);
        // Only a directory of its own: whatever else has the name is refused when a bundle is written.
        if (SafeFiles.LStat(dir) is not { } st || (st.Mode & Libc.S_IFMT) != Libc.S_IFDIR) return;
        Unmount.All(dir);
        if (Libc.Rmdir(dir) == 0) return;
        // A bundle an earlier bpm wrote on the disk, with its rootfs alone a tmpfs.
        Unmount.All(Path.Join(dir, "rootfs"));
        Directory.Delete(dir, recursive: true);
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
