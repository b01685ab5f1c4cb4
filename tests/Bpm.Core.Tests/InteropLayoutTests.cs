using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Bpm.Interop;
using Xunit;

namespace Bpm.Tests;

// The interop values checked against what this machine's kernel and libc do, on whichever
// architecture the tests run: a flag numbered for the other one shows here as a wrong errno.
public sealed unsafe class InteropLayoutTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bpm-interop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string text = "hello")
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private static int Errno(int rc)
    {
        Assert.Equal(-1, rc);
        return Marshal.GetLastPInvokeError();
    }

    private static Libc.Statx FStat(int fd)
    {
        Assert.Equal(0, Libc.StatxCall(fd, "", Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out var st));
        return st;
    }

    private static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return output.Trim();
    }

    [Fact]
    public void NoFollowRefusesASymlinkWithEloop()
    {
        var link = Path.Combine(_dir, "link");
        System.IO.File.CreateSymbolicLink(link, File("target"));
        Assert.Equal(Libc.ELOOP, Errno(Libc.Open(link, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0)));
    }

    [Fact]
    public void PathWithNoFollowOpensTheSymlinkItself()
    {
        var link = Path.Combine(_dir, "link");
        System.IO.File.CreateSymbolicLink(link, File("target"));
        int fd = Libc.Open(link, Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        Assert.True(fd >= 0);
        try { Assert.Equal(Libc.S_IFLNK, FStat(fd).Mode & Libc.S_IFMT); }
        finally { Libc.Close(fd); }
    }

    [Fact]
    public void DirectoryRefusesARegularFileWithEnotdir()
    {
        Assert.Equal(Libc.ENOTDIR, Errno(Libc.Open(File("plain"), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0)));
    }

    [Fact]
    public void DirectoryAndNoFollowOpenADirectory()
    {
        int fd = Libc.OpenAt(Libc.AT_FDCWD, _dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        Assert.True(fd >= 0);
        try { Assert.Equal(Libc.S_IFDIR, FStat(fd).Mode & Libc.S_IFMT); }
        finally { Libc.Close(fd); }
    }

    [Fact]
    public void CreateExclusiveRefusesAnExistingFile()
    {
        Assert.Equal(Libc.EEXIST, Errno(Libc.Open(File("there"), Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0x180)));
    }

    [Fact]
    public void StatxAgreesWithDotnetAndStat()
    {
        var path = File("sized", new string('x', 12345));
        System.IO.File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Run("ln", path, Path.Combine(_dir, "second"));
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        Assert.True(fd >= 0);
        try
        {
            var st = FStat(fd);
            Assert.Equal(new FileInfo(path).Length, (long)st.Size);
            Assert.Equal((int)System.IO.File.GetUnixFileMode(path), st.Mode & 0xFFF);
            Assert.Equal(Libc.S_IFREG, st.Mode & Libc.S_IFMT);
            Assert.Equal(Libc.Geteuid(), st.Uid);
            // stat(1) reads the kernel's own struct stat, whose layout differs by architecture.
            Assert.Equal(Run("stat", "-c", "%i %h", path), $"{st.Ino} {st.Nlink}");
            Assert.Equal(2u, st.Nlink);
        }
        finally { Libc.Close(fd); }
    }

    [Fact]
    public void SeekCurrentTellsTheOffsetAfterAWrite()
    {
        int fd = Libc.Open(Path.Combine(_dir, "seek"), Libc.O_RDWR | Libc.O_CREAT | Libc.O_APPEND | Libc.O_CLOEXEC, 0x180);
        Assert.True(fd >= 0);
        try
        {
            byte* data = stackalloc byte[5];
            Assert.Equal(5, Libc.Write(fd, data, 5));
            Assert.Equal(5, Libc.LSeek(fd, 0, Libc.SEEK_CUR));
        }
        finally { Libc.Close(fd); }
    }

    // Past 4 GiB, so that a 32-bit offset anywhere on the way would show.
    [Fact]
    public void SeekEndAndPReadReachPastFourGiBAndLeaveTheOffset()
    {
        var path = File("sparse", "");
        using (var f = new FileStream(path, FileMode.Open)) f.SetLength((5L << 30) + 3);
        System.IO.File.AppendAllText(path, "end");
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        Assert.True(fd >= 0);
        try
        {
            Assert.Equal((5L << 30) + 6, Libc.LSeek(fd, 0, Libc.SEEK_END));
            Assert.Equal(0, Libc.LSeek(fd, 0, 0 /* SEEK_SET */));
            byte* buf = stackalloc byte[4];
            Assert.Equal(4, Libc.PRead(fd, buf, 4, (5L << 30) + 2));
            Assert.Equal("\0end", System.Text.Encoding.ASCII.GetString(buf, 4));
            Assert.Equal(0, Libc.LSeek(fd, 0, Libc.SEEK_CUR));
        }
        finally { Libc.Close(fd); }
    }

    [Fact]
    public void PollSeesAPipeReadableAndWritable()
    {
        int* fds = stackalloc int[2];
        Assert.Equal(0, Libc.Pipe2(fds, Libc.O_CLOEXEC | Libc.O_NONBLOCK));
        try
        {
            Assert.True(Libc.Fcntl(fds[1], Libc.F_SETPIPE_SZ, 1 << 17) >= 1 << 17);
            byte b = 1;
            Assert.Equal(1, Libc.Write(fds[1], &b, 1));
            var pfds = stackalloc Libc.PollFd[2];
            pfds[0] = new Libc.PollFd { Fd = fds[0], Events = Libc.POLLIN };
            pfds[1] = new Libc.PollFd { Fd = fds[1], Events = Libc.POLLOUT };
            Assert.Equal(2, Libc.Poll(pfds, 2, 0));
            Assert.Equal(Libc.POLLIN, pfds[0].Revents);
            Assert.Equal(Libc.POLLOUT, pfds[1].Revents);
        }
        finally { Libc.Close(fds[0]); Libc.Close(fds[1]); }
    }

    [Fact]
    public void StackLimitAgreesWithProcLimits()
    {
        Assert.Equal(0, Libc.GetRlimit(Libc.RLIMIT_STACK, out var limit));
        var line = System.IO.File.ReadLines("/proc/self/limits").Single(l => l.StartsWith("Max stack size", StringComparison.Ordinal));
        var soft = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
        Assert.Equal(soft == "unlimited" ? ulong.MaxValue : ulong.Parse(soft), limit.Current);
    }

    [Fact]
    public void PasswdFieldsAgreeWithEtcPasswd()
    {
        var root = System.IO.File.ReadLines("/etc/passwd").First(l => l.StartsWith("root:", StringComparison.Ordinal)).Split(':');
        var buf = new byte[4096];
        fixed (byte* p = buf)
        {
            Assert.Equal(0, Libc.GetPwNamR("root", out var pwd, p, buf.Length, out var result));
            Assert.NotEqual(0, result);
            Assert.Equal("root", Marshal.PtrToStringUTF8(pwd.Name));
            Assert.Equal(uint.Parse(root[2]), pwd.Uid);
            Assert.Equal(uint.Parse(root[3]), pwd.Gid);
            Assert.Equal(root[5], Marshal.PtrToStringUTF8(pwd.Dir));
            Assert.Equal(root[6], Marshal.PtrToStringUTF8(pwd.Shell));
        }
    }

    [Fact]
    public void PidfdSyscallsReachTheirCalls()
    {
        int pidfd = Libc.PidfdOpen(Environment.ProcessId);
        Assert.True(pidfd >= 0, $"pidfd_open: errno {Marshal.GetLastPInvokeError()}");
        try { Assert.Equal(0, Libc.PidfdSendSignal(pidfd, 0)); }
        finally { Libc.Close(pidfd); }
    }

    // The opaque glibc objects must fit the space we give them: a guard after each stays untouched.
    [Fact]
    public void SpawnObjectsAndSignalSetsFitTheirSpace()
    {
        const int guard = 64;
        byte* actions = stackalloc byte[Libc.FileActionsSize + guard];
        byte* attr = stackalloc byte[Libc.SpawnAttrSize + guard];
        byte* set = stackalloc byte[Libc.SigSetSize + guard];
        new Span<byte>(actions, Libc.FileActionsSize + guard).Fill(0xA5);
        new Span<byte>(attr, Libc.SpawnAttrSize + guard).Fill(0xA5);
        new Span<byte>(set, Libc.SigSetSize + guard).Fill(0xA5);
        Assert.Equal(0, Libc.FileActionsInit(actions));
        Assert.Equal(0, Libc.SpawnAttrInit(attr));
        Assert.Equal(0, Libc.SigFillSet(set));
        Assert.Equal(0, Libc.SpawnAttrSetSigMask(attr, set));
        Assert.Equal(0, Libc.SpawnAttrSetSigDefault(attr, set));
        Assert.Equal(0, Libc.SpawnAttrSetFlags(attr, Libc.POSIX_SPAWN_SETPGROUP | Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF));
        Assert.Equal(0, Libc.FileActionsAddDup2(actions, 0, 1));
        Assert.True(new Span<byte>(actions + Libc.FileActionsSize, guard).IndexOfAnyExcept((byte)0xA5) < 0);
        Assert.True(new Span<byte>(attr + Libc.SpawnAttrSize, guard).IndexOfAnyExcept((byte)0xA5) < 0);
        Assert.True(new Span<byte>(set + Libc.SigSetSize, guard).IndexOfAnyExcept((byte)0xA5) < 0);
        Libc.FileActionsDestroy(actions);
        Libc.SpawnAttrDestroy(attr);
    }

    // Sizes and offsets as glibc's headers give them, the same for x86_64 and aarch64.
    [Fact]
    public void StructLayoutsMatchTheHeaders()
    {
        Assert.Equal(8, Unsafe.SizeOf<Libc.PollFd>());
        Assert.Equal(6, (int)Marshal.OffsetOf<Libc.PollFd>(nameof(Libc.PollFd.Revents)));
        Assert.Equal(16, Unsafe.SizeOf<Libc.Rlimit>());
        Assert.Equal(48, Unsafe.SizeOf<Libc.Passwd>());
        Assert.Equal(16, (int)Marshal.OffsetOf<Libc.Passwd>(nameof(Libc.Passwd.Uid)));
        Assert.Equal(40, (int)Marshal.OffsetOf<Libc.Passwd>(nameof(Libc.Passwd.Shell)));
        Assert.Equal(256, Unsafe.SizeOf<Libc.Statx>());
        Assert.Equal(16, (int)Marshal.OffsetOf<Libc.Statx>(nameof(Libc.Statx.Nlink)));
        Assert.Equal(28, (int)Marshal.OffsetOf<Libc.Statx>(nameof(Libc.Statx.Mode)));
        Assert.Equal(32, (int)Marshal.OffsetOf<Libc.Statx>(nameof(Libc.Statx.Ino)));
        Assert.Equal(40, (int)Marshal.OffsetOf<Libc.Statx>(nameof(Libc.Statx.Size)));
    }

    [Theory]
    [InlineData(Architecture.X64, 0x10000)]
    [InlineData(Architecture.Arm64, 0x4000)]
    public void EachArchitectureGetsItsOwnValue(Architecture arch, int directory) =>
        Assert.Equal(directory, Libc.ByArch(arch, x64: 0x10000, arm64: 0x4000));

    [Theory]
    [InlineData(Architecture.X86)]
    [InlineData(Architecture.Arm)]
    [InlineData(Architecture.RiscV64)]
    [InlineData(Architecture.Ppc64le)]
    public void OtherArchitecturesAreRefused(Architecture arch)
    {
        var e = Assert.Throws<PlatformNotSupportedException>(() => Libc.ByArch(arch, 1, 2));
        Assert.Contains("x86_64 and aarch64 only", e.Message);
    }
}
