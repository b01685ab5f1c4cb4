namespace Bpm.Bosh;

// Lexical path handling, the way Go's filepath.Clean does it, because the contract's
// "canonical path" check compares against exactly that.
public static class PathText
{
    public static string Clean(string path)
    {
        if (path == "") return ".";
        bool rooted = path[0] == '/';
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..") parts.RemoveAt(parts.Count - 1);
                else if (!rooted) parts.Add("..");
                continue;
            }
            parts.Add(part);
        }
        var joined = string.Join('/', parts);
        if (rooted) return "/" + joined;
        return joined == "" ? "." : joined;
    }

    // True when `path` is `dir` or lies below it, by whole components.
    public static bool IsWithin(string path, string dir) =>
        path == dir || path.StartsWith(dir.EndsWith('/') ? dir : dir + "/", StringComparison.Ordinal);

    public static int Depth(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries).Length;
}
