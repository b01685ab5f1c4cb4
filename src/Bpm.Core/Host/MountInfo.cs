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

    // mountinfo writes space, tab, newline and backslash as octal escapes.
    private static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length + 0 && i + 3 <= s.Length - 1 + 1)
            {
                try { sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8)); i += 3; continue; }
                catch (FormatException) { }
            }
            sb.Append(s[i]);
        }
        return sb.ToString();
    }
}
