
namespace Bpm.Host;

// Expands a shell-style pattern (*, ? and [...] within one path component) against the host's
// filesystem, in sorted order. Dot-files match only a pattern that starts with a dot.
public static class Glob
{
    public const int MaxMatches = 4096;

    public static IReadOnlyList<string> Expand(string pattern)
    {
        if (!pattern.StartsWith('/')) throw new BpmException($"glob pattern must be absolute: {pattern}");
        var current = new List<string> { "/" };
        foreach (var part in pattern.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = new List<string>();
            foreach (var dir in current)
            {
                if (!HasMeta(part))
                {
                    var candidate = Path.Join(dir, part);
                    if (Path.Exists(candidate)) next.Add(candidate);
                    continue;
                }
                if (!Directory.Exists(dir)) continue;
                IEnumerable<string> entries;
                try { entries = Directory.EnumerateFileSystemEntries(dir).Select(e => Path.GetFileName(e)!).ToList(); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
                foreach (var name in entries.Order(StringComparer.Ordinal))
                {
                    if (name.StartsWith('.') && !part.StartsWith('.')) continue;
                    if (Matches(part, name)) next.Add(Path.Join(dir, name));
                }
            }
            if (next.Count > MaxMatches) throw new BpmException($"glob {pattern} matches more than {MaxMatches} paths");
            current = next;
        }
        return current;
    }

    private static bool HasMeta(string s) => s.AsSpan().IndexOfAny("*?[") >= 0;

    public static bool Matches(string pattern, string name) => Match(pattern.AsSpan(), name.AsSpan());

    private static bool Match(ReadOnlySpan<char> p, ReadOnlySpan<char> s)
    {
        while (p.Length > 0)
        {
            switch (p[0])
            {
                case '*':
                    p = p[1..];
                    for (int i = 0; i <= s.Length; i++)
                        if (Match(p, s[i..])) return true;
                    return false;
                case '?':
                    if (s.Length == 0) return false;
                    p = p[1..]; s = s[1..];
                    break;
                case '[':
                    // A ']' right after '[' (or '[!') is a member, not the end of the set.
                    int close = p.Length > 2 ? p[2..].IndexOf(']') : -1;
                    if (close < 0) goto default;
                    if (s.Length == 0) return false;
                    var set = p[1..(close + 2)];
                    bool negate = set[0] is '!' or '^';
                    if (negate) set = set[1..];
                    bool hit = false;
                    for (int i = 0; i < set.Length; i++)
                    {
                        if (i + 2 < set.Length && set[i + 1] == '-') { hit |= s[0] >= set[i] && s[0] <= set[i + 2]; i += 2; }
                        else hit |= s[0] == set[i];
                    }
                    if (hit == negate) return false;
                    p = p[(close + 3)..]; s = s[1..];
                    break;
                default:
                    if (s.Length == 0 || s[0] != p[0]) return false;
                    p = p[1..]; s = s[1..];
                    break;
            }
        }
        return s.Length == 0;
    }
}
