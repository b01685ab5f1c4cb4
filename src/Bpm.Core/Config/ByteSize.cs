using System.Globalization;

namespace Bpm.Config;

// Sizes as bpm.yml writes them: a number and a unit (B, K/KB/KiB, M, G, T; 1K = 1024).
public static class ByteSize
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var s = text.Trim().ToUpperInvariant();
        int i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
        if (i == 0 || i == s.Length) return false;
        if (!decimal.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
            return false;
        int shift = s[i..] switch
        {
            "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            "T" or "TB" or "TIB" => 40,
            _ => -1,
        };
        if (shift < 0) return false;
        if (value > long.MaxValue / (decimal)(1L << shift)) return false;
        bytes = (long)(value * (1L << shift));
        return bytes > 0;
    }
}
