using System.Text;

namespace Bpm.Output;

// Columns the way Go's tabwriter pads them with minwidth 0 and padding 1: every cell but the
// last in a row is padded with spaces to its column's widest cell plus one.
public static class TableWriter
{
    public static string Format(IReadOnlyList<string[]> rows)
    {
        int columns = rows.Max(r => r.Length);
        var widths = new int[columns];
        foreach (var row in rows)
            for (int i = 0; i < row.Length - 1; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                if (i < row.Length - 1) sb.Append(row[i].PadRight(widths[i] + 1));
                else sb.Append(row[i]);
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
