namespace Bpm.Host;

// Reads /proc/self/mountinfo.
public static class MountInfo
{
    public static IEnumerable<string> MountPoints()
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4) yield return Unescape(fields[4]);
        }
    }

    public static bool IsMountPoint(string path) => MountPoints().Contains(path.TrimEnd('/') is "" ? "/" : path.TrimEnd('/'));

    // mountinfo writes space, tab, newline and backslash as a backslash and three octal digits.
    private static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new System.Text.StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length && s.AsSpan(i + 1, 3).IndexOfAnyExceptInRange('0', '7') < 0)
            {
                sb.Append((char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
                i += 3;
                continue;
            }
            sb.Append(s[i]);
        }
        return sb.ToString();
    }
}
