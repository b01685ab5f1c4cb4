using System.Globalization;

namespace Bpm.Status;

// The two shapes cgroup files come in: a single number ("max" meaning none), or "key value" lines.
public static class CgroupText
{
    public static long? Number(string? text)
    {
        var t = text?.Trim();
        return long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    public static long? Field(string? text, string key)
    {
        if (text is null) return null;
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0] == key) return Number(parts[1]);
        }
        return null;
    }
}
