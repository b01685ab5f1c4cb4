using Bpm.Host;
using Xunit;

namespace Bpm.Tests;

public sealed class PathWalkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bpm-walk-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static bool IsRoot => Environment.UserName == "root";

    private static ulong Inode(Fd fd) => SafeFiles.Stat(fd).Ino;

    private static ulong Inode(string path) => SafeFiles.LStat(path)!.Value.Ino;

    [Fact]
    public void TheDescriptorStaysOnTheCheckedDirectoryWhateverIsSwappedLater()
    {
        var vol = Directory.CreateDirectory(Path.Combine(_dir, "vol")).FullName;
        var other = Directory.CreateDirectory(Path.Combine(_dir, "other")).FullName;
        var ino = Inode(vol);
        using var fd = PathWalk.Open(vol);
        Directory.Move(vol, vol + ".moved");
        File.CreateSymbolicLink(vol, other);
        Assert.Equal(ino, Inode(fd));
        Assert.NotEqual(Inode(other), Inode(fd));
    }

    [Fact]
    public void MissingComponentsAreCreatedAndTheLastIsReported()
    {
        var path = Path.Combine(_dir, "a", "b", "c");
        using (var fd = PathWalk.Open(path, out bool created, create: true)) Assert.True(created);
        Assert.True(Directory.Exists(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_dir, "a")));
        using (var fd = PathWalk.Open(path, out bool again, create: true)) Assert.False(again);
    }

    [Fact]
    public void WithoutCreateAMissingPathIsAnError() =>
        Assert.Contains("No such file", Assert.ThrowsAny<BpmException>(() => PathWalk.Open(Path.Combine(_dir, "missing"))).Message);

    [Fact]
    public void ASymlinkAsTheLastComponentIsRefused()
    {
        var target = Directory.CreateDirectory(Path.Combine(_dir, "target")).FullName;
        var link = Path.Combine(_dir, "link");
        File.CreateSymbolicLink(link, target);
        var e = Assert.ThrowsAny<BpmException>(() => PathWalk.Open(link));
        Assert.Equal($"refusing to use symlink at {link}", e.Message);
        Assert.ThrowsAny<BpmException>(() => PathWalk.Open(link, out _, create: true));
    }

    [Fact]
    public void ASymlinkAlongTheWayInADirectoryOthersMayWriteIsRefused()
    {
        var open = Directory.CreateDirectory(Path.Combine(_dir, "open")).FullName;
        File.SetUnixFileMode(open, (UnixFileMode)0x1ff /* 0777 */);
        var target = Directory.CreateDirectory(Path.Combine(_dir, "target", "sub")).FullName;
        File.CreateSymbolicLink(Path.Combine(open, "mid"), Path.GetDirectoryName(target)!);
        var e = Assert.ThrowsAny<BpmException>(() => PathWalk.Open(Path.Combine(open, "mid", "sub"), out _, create: true));
        Assert.Equal($"refusing to use symlink at {Path.Combine(open, "mid")}", e.Message);
    }

    [Fact]
    public void RootsSymlinkAlongTheWayInARootOnlyDirectoryIsFollowed()
    {
        if (!IsRoot) return;
        var closed = Directory.CreateDirectory(Path.Combine(_dir, "closed")).FullName;
        File.SetUnixFileMode(closed, (UnixFileMode)0x1ed /* 0755 */);
        var target = Directory.CreateDirectory(Path.Combine(_dir, "real", "sub")).FullName;
        // Relative, as BOSH lays out sys -> data/sys.
        File.CreateSymbolicLink(Path.Combine(closed, "sys"), "../real");
        using var fd = PathWalk.Open(Path.Combine(closed, "sys", "sub"));
        Assert.Equal(Inode(target), Inode(fd));
    }
}
