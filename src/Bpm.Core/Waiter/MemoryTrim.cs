using Bpm.Host;
using Bpm.Interop;

namespace Bpm.Waiter;

// A waiter sleeps for as long as its job runs, one per running process: what it keeps resident
// is paid many times over. The code it ran while starting (its own, libc's) is a clean copy of
// the file, never written: handing those pages back costs nothing now, and a re-read from the
// page cache when the process ends. Only executable, non-writable mappings qualify: a read-only
// data mapping may hold pages the loader wrote (relocations), which only the process has.
// Little is allocated on the way (a waiter's heap stays resident too).
public static unsafe class MemoryTrim
{
    public static void DropCleanCode()
    {
        byte[]? maps;
        try { maps = FileText.ReadBytes("/proc/self/maps"); }
        catch (BpmException) { return; }
        if (maps is null) return;
        var ranges = CodeMappings(maps);
        // From the top down: the waiter's own code, lowest (a fixed-address executable), goes
        // last, so the fewest of its pages are faulted back in on the way to wait(2).
        for (int i = ranges.Count - 1; i >= 0; i--)
            Libc.Madvise((void*)ranges[i].Start, (nuint)(ranges[i].End - ranges[i].Start), Libc.MADV_DONTNEED);
    }

    // "start-end perms offset dev inode path" lines: the r-xp mappings of files, in address order.
    public static List<(ulong Start, ulong End)> CodeMappings(ReadOnlySpan<byte> maps)
    {
        var result = new List<(ulong, ulong)>();
        while (maps.Length > 0)
        {
            int nl = maps.IndexOf((byte)'\n');
            var line = nl < 0 ? maps : maps[..nl];
            maps = nl < 0 ? default : maps[(nl + 1)..];
            int dash = line.IndexOf((byte)'-');
            int space = line.IndexOf((byte)' ');
            if (dash < 1 || space < dash || line.Length < space + 5) continue;
            if (!line.Slice(space + 1, 4).SequenceEqual("r-xp"u8) || line.IndexOf((byte)'/') < 0) continue;
            if (Hex(line[..dash]) is { } start && Hex(line[(dash + 1)..space]) is { } end && end > start)
                result.Add((start, end));
        }
        return result;
    }

    private static ulong? Hex(ReadOnlySpan<byte> digits)
    {
        if (digits.Length is 0 or > 16) return null;
        ulong value = 0;
        foreach (var b in digits)
        {
            int d = b is >= (byte)'0' and <= (byte)'9' ? b - '0' : b is >= (byte)'a' and <= (byte)'f' ? b - 'a' + 10 : -1;
            if (d < 0) return null;
            value = value << 4 | (uint)d;
        }
        return value;
    }
}
