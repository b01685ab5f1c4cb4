namespace Bpm.Logging;

// Where the last N lines of a file begin, found by reading back from its end a chunk at a time,
// so that `bpm logs -n N` costs what the lines it shows cost, not what the file does. A job writes
// its logs, and a 100 GB file of zeros (sparse, a single "line") would otherwise be read to its
// start: a line is taken back at most MaxLine bytes, and one longer than that is shown by its last
// MaxLine bytes, with nothing before it.
public static class LastLines
{
    public const int MaxLine = 1 << 20;
    private const int Chunk = 64 * 1024;

    // Reads into `buffer` from `offset`; returns how many bytes it read (0 at the end of the file).
    public delegate int ReadAt(long offset, Span<byte> buffer);

    // The offset of the first byte to show of a file `end` bytes long. A final newline ends the
    // last line, as tail counts them. A file that comes up short (truncated meanwhile) shows nothing.
    public static long Start(long end, int lines, ReadAt read)
    {
        if (lines <= 0 || end <= 0) return end;
        var buffer = new byte[(int)Math.Min(Chunk, end)];
        long pos = end;
        long lineEnd = end; // just past the newline that ends the line being taken back
        int found = 0;
        while (pos > 0)
        {
            int n = (int)Math.Min(buffer.Length, pos);
            pos -= n;
            var span = buffer.AsSpan(0, n);
            if (!ReadFully(read, pos, span)) return end;
            for (int i = n; ;)
            {
                int j = span[..i].LastIndexOf((byte)'\n');
                if (j < 0) break;
                i = j;
                long at = pos + j;
                if (at == end - 1) continue;
                if (lineEnd - (at + 1) > MaxLine) return lineEnd - MaxLine;
                if (++found == lines) return at + 1;
                lineEnd = at + 1;
            }
            if (lineEnd - pos > MaxLine) return lineEnd - MaxLine;
        }
        return 0;
    }

    private static bool ReadFully(ReadAt read, long offset, Span<byte> span)
    {
        while (span.Length > 0)
        {
            int n = read(offset, span);
            if (n <= 0) return false;
            offset += n;
            span = span[n..];
        }
        return true;
    }
}
