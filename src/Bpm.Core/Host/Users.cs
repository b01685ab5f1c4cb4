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
}
