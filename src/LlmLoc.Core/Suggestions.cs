namespace LlmLoc;

/// <summary>"Did you mean …?" for names a user types (verbs, BLiMP paradigms).</summary>
public static class Suggestions
{
    /// <summary>The known name closest to <paramref name="typed"/> by edit distance (case-insensitive), when it is close
    /// enough to be a typo (at most a third of the name's length), or the one known name containing it.</summary>
    public static string? Nearest(string typed, IEnumerable<string> known)
    {
        var names = known.ToList();
        string lower = typed.ToLowerInvariant();
        var best = names.Select(n => (Name: n, Distance: Distance(lower, n.ToLowerInvariant()))).OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal).FirstOrDefault();
        if (best.Name is not null && best.Distance <= Math.Max(1, typed.Length / 3)) return best.Name;
        var containing = names.Where(n => n.Contains(typed, StringComparison.OrdinalIgnoreCase)).ToList();
        return typed.Length >= 3 && containing.Count == 1 ? containing[0] : null;
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions), two rows at a time.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
