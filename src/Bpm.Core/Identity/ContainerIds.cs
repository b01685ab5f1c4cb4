using System.Text;

namespace Bpm.Identity;

// Container IDs as the original bpm writes them: "bpm-" + encode(name), where encode
// keeps [A-Za-z0-9_-] and writes any other byte as "." + two lowercase hex digits.
public static class ContainerIds
{
    public const string Prefix = "bpm-";

    public static string Encode(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            if (IsKept(b)) sb.Append((char)b);
            else sb.Append('.').Append(b.ToString("x2"));
        }
        return sb.ToString();
    }

    public static string Decode(string id)
    {
        if (!id.StartsWith(Prefix, StringComparison.Ordinal))
            throw new BpmException($"invalid container id: {id}");
        var s = id.AsSpan(Prefix.Length);
        var bytes = new List<byte>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] != '.') { bytes.Add((byte)s[i]); continue; }
            if (i + 2 >= s.Length || !char.IsAsciiHexDigit(s[i + 1]) || !char.IsAsciiHexDigit(s[i + 2]))
                throw new BpmException($"invalid container id: {id}");
            bytes.Add(byte.Parse(s.Slice(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null));
            i += 2;
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsKept(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'_' or (byte)'-';
}
