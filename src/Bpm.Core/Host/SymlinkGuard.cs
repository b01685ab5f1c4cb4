using Bpm.Interop;

namespace Bpm.Host;

// Volume paths may lie inside directories a job can write to. A symlink planted anywhere
// along such a path would make bpm (root) create, chown or bind-mount whatever it points at,
// so every existing component below the BOSH root must be a real directory or file.
public static class SymlinkGuard
{
    public static void Check(string root, string path)
    {
        if (!Bosh.PathText.IsWithin(path, root)) return;
        var current = root.TrimEnd('/');
        foreach (var part in path[current.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current += "/" + part;
            var st = SafeFiles.LStat(current);
            if (st is null) return;
            if ((st.Value.Mode & Libc.S_IFMT) == Libc.S_IFLNK) throw new BpmException($"refusing to use symlink at {current}");
        }
    }
}
