namespace Pipelines.Text;

/// <summary>The "did you mean" lists of messages: which names exist, closest first when there are many.</summary>
public static class NameList
{
    /// <summary>
    /// Lists the names that exist for a message: all of them when few, else the ones closest to
    /// <paramref name="wanted"/> and how many there are.
    /// </summary>
    public static string Some(IEnumerable<string> names, string? wanted = null, int max = 15)
    {
        var all = names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (all.Count == 0)
        {
            return "(none)";
        }

        if (all.Count <= max)
        {
            return string.Join(", ", all);
        }

        var closest = wanted is null
            ? all.Take(5)
            : all.OrderBy(n => Distance(n, wanted)).ThenBy(n => n, StringComparer.Ordinal).Take(5);
        return $"{string.Join(", ", closest)}, … ({all.Count} in all)";
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
