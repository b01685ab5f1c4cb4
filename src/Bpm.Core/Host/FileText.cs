using System.Runtime.InteropServices;
using System.Text;
using Bpm.Interop;

namespace Bpm.Host;

// Reads bpm's own small files whole (markers, records, a bundle's config.json): null when the file
// is not there. Most are missing most of the time, and the exception File.ReadAllText throws for
// that costs every start a share of a millisecond.
public static class FileText
{
    public static unsafe byte[]? ReadBytes(string path)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is Libc.ENOENT or Libc.ENOTDIR) return null;
            throw new SyscallException("open", path, errno);
        }
        using var file = new Fd(fd);
        var data = new MemoryStream();
        var buf = stackalloc byte[16384];
        while (true)
        {
            var n = Libc.Read(fd, buf, 16384);
            if (n < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
            if (n < 0) throw Libc.Error("read", path);
            if (n == 0) return data.ToArray();
            data.Write(new ReadOnlySpan<byte>(buf, (int)n));
        }
    }

    public static string? Read(string path) => ReadBytes(path) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
}
