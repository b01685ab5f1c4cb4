namespace Bpm.Config;

// The known name a typo most likely meant, for "did you mean ...?" hints.
public static class NearestName
{
    // The closest by edit distance (a swap of two neighbouring letters counts as one edit, case
    // is ignored), when it is at most a third of the name's length away (at least 1, at most 3
    // edits). Ties go to the first in the list.
    public static string? Of(string name, IEnumerable<string> known)
    {
        int allowed = Math.Clamp(name.Length / 3, 1, 3);
        string? best = null;
        int bestDistance = int.MaxValue;
        var lower = name.ToLowerInvariant();
        foreach (var candidate in known)
        {
            int d = Distance(lower, candidate.ToLowerInvariant(), allowed);
            if (d <= allowed && d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        return best;
    }

    // Optimal string alignment distance; gives up (returns limit + 1) as soon as no alignment
    // can stay within `limit`, so a hostile megabyte-long name costs nothing.
    private static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit) return limit + 1;
        var prev2 = new int[b.Length + 1];
        var prev = new int[b.Length + 1];
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            row[0] = i;
            int rowMin = row[0];
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int d = Math.Min(Math.Min(prev[j] + 1, row[j - 1] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d = Math.Min(d, prev2[j - 2] + 1);
                row[j] = d;
                rowMin = Math.Min(rowMin, d);
            }
            // No later row can come back under the limit: each cell comes from the row above,
            // or by a swap (one more edit) from the row before that.
            if (rowMin > limit) return limit + 1;
            (prev2, prev, row) = (prev, row, prev2);
        }
        return prev[b.Length];
    }
}
