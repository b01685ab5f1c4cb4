using System.Globalization;
using Bpm.Interop;

namespace Bpm.Waiter;

// A waiter sleeps for as long as its job runs, one per running process: what it keeps resident
// is paid many times over. The pages of its executable it touched while starting are clean
// copies of the file; handing them back costs nothing now and a re-read from the page cache
// if they are needed again (once, when the process ends).
public static unsafe class MemoryTrim
{
    public static void DropCleanPages()
    {
        string[] lines;
        try { lines = File.ReadAllLines("/proc/self/smaps"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        var drop = new List<(ulong Start, ulong End)>();
        (ulong Start, ulong End)? current = null;
        foreach (var line in lines)
        {
            if (Header(line, out var candidate))
            {
                current = candidate;
                continue;
            }
            // A mapping of a file, never written to (no private copy of any page): clean.
            if (current is { } m && line.StartsWith("Anonymous:", StringComparison.Ordinal))
            {
                if (line.AsSpan(10).Trim().SequenceEqual("0 kB")) drop.Add(m);
                current = null;
            }
        }
        foreach (var (start, end) in drop) Libc.Madvise((void*)start, (nuint)(end - start), Libc.MADV_DONTNEED);
    }

    // A mapping's first line, "start-end perms offset dev inode [path]"; `candidate` is set for a
    // read-only mapping of a file.
    private static bool Header(string line, out (ulong, ulong)? candidate)
    {
        candidate = null;
        var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 5 || parts[1].Length != 4) return false;
        int dash = parts[0].IndexOf('-');
        if (dash < 1) return false;
        if (parts[1][1] == 'w' || parts.Length < 6 || !parts[5].TrimStart().StartsWith('/')) return true;
        if (ulong.TryParse(parts[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
            && ulong.TryParse(parts[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end))
            candidate = (start, end);
        return true;
    }
}
