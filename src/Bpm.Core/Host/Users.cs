using Bpm.Interop;

namespace Bpm.Host;

public readonly record struct UserIds(uint Uid, uint Gid);

public static class Users
{
    public const string Vcap = "vcap";

    public static bool IsRoot => Libc.Geteuid() == 0;

    public static unsafe UserIds Lookup(string name)
    {
        var buf = new byte[16384];
        fixed (byte* p = buf)
        {
            int rc = Libc.GetPwNamR(name, out var pwd, p, buf.Length, out var result);
            if (rc != 0 || result == 0) throw new BpmException($"unable to find user: {name}");
            return new UserIds(pwd.Uid, pwd.Gid);
        }
    }

    // The home directory the passwd database gives the user; null when it has none.
    public static unsafe string? Home(uint uid)
    {
        var buf = new byte[16384];
        fixed (byte* p = buf)
        {
            int rc = Libc.GetPwUidR(uid, out var pwd, p, buf.Length, out var result);
            if (rc != 0 || result == 0 || pwd.Dir == 0) return null;
            return System.Runtime.InteropServices.Marshal.PtrToStringUTF8(pwd.Dir) is { Length: > 0 } home ? home : null;
        }
    }
}
