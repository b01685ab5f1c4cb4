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

    // ------------------------------------------------------------ OpenRootOwned

    // Without following a symlink.
    private static void Chown(string path)
    {
        using var p = System.Diagnostics.Process.Start("chown", ["-h", "2000:2000", path]);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    private string RootOwnedFile(string dir)
    {
        var d = Directory.CreateDirectory(Path.Combine(_dir, dir)).FullName;
        File.SetUnixFileMode(_dir, (UnixFileMode)0x1ed);
        File.SetUnixFileMode(d, (UnixFileMode)0x1ed);
        var file = Path.Combine(d, "hook");
        File.WriteAllText(file, "#!/bin/sh\n");
        File.SetUnixFileMode(file, (UnixFileMode)0x1ed);
        return file;
    }

    [Fact]
    public void ARootOwnedFileIsOpenedAsItIs()
    {
        if (!IsRoot) return;
        var file = RootOwnedFile("bin");
        using var fd = PathWalk.OpenRootOwned(file);
        Assert.Equal(Inode(file), Inode(fd));
    }

    [Fact]
    public void ADirectoryOnTheWayOwnedByAnotherUserIsNamed()
    {
        if (!IsRoot) return;
        var file = RootOwnedFile("bin");
        Chown(Path.GetDirectoryName(file)!);
        var e = Assert.ThrowsAny<BpmException>(() => PathWalk.OpenRootOwned(file));
        Assert.Equal($"{Path.GetDirectoryName(file)} is owned by uid 2000", e.Message);
    }

    [Fact]
    public void AFileOthersMayWriteIsNamed()
    {
        if (!IsRoot) return;
        var file = RootOwnedFile("bin");
        File.SetUnixFileMode(file, (UnixFileMode)0x1fd /* 0775 */);
        Assert.Equal($"{file} is writable by group or others", Assert.ThrowsAny<BpmException>(() => PathWalk.OpenRootOwned(file)).Message);
    }

    [Fact]
    public void AStickyDirectoryOnTheWayIsFineButNotAsTheLast()
    {
        if (!IsRoot) return;
        var file = RootOwnedFile("bin");
        var dir = Path.GetDirectoryName(file)!;
        File.SetUnixFileMode(dir, (UnixFileMode)0x3ff /* 1777 */);
        using (PathWalk.OpenRootOwned(file)) { }
        Assert.False(PathWalk.IsRootOwnedDirectory(dir));
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ff /* 0777 */);
        Assert.Equal($"{dir} is writable by group or others", Assert.ThrowsAny<BpmException>(() => PathWalk.OpenRootOwned(file)).Message);
    }

    [Fact]
    public void RootsLastSymlinkInARootOnlyDirectoryIsFollowedAnotherUsersIsNot()
    {
        if (!IsRoot) return;
        var file = RootOwnedFile("bin");
        var link = Path.Combine(Path.GetDirectoryName(file)!, "link");
        File.CreateSymbolicLink(link, "hook");
        using (var fd = PathWalk.OpenRootOwned(link)) Assert.Equal(Inode(file), Inode(fd));
        Chown(link);
        Assert.Equal($"{link} is a symlink owned by uid 2000", Assert.ThrowsAny<BpmException>(() => PathWalk.OpenRootOwned(link)).Message);
    }
}
