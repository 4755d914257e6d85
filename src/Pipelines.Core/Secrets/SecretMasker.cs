namespace Pipelines.Secrets;

/// <summary>
/// Replaces secret values with <c>***</c> in log lines and messages. Runtimes register every
/// value they resolve; the executor masks what it shows and stores. Thread-safe: values are added
/// under a lock and read from an immutable snapshot.
/// </summary>
public sealed class SecretMasker
{
    /// <summary>What a secret value is replaced with.</summary>
    public const string Replacement = "***";

    /// <summary>Shorter values are not masked: masking every <c>a</c> or <c>42</c> would ruin logs and hide nothing.</summary>
    public const int MinimumLength = 3;

    private readonly Lock _gate = new();

    // Longest first, so that a value containing another is masked whole.
    private volatile string[] _values = [];

    /// <summary>True when no value is registered (masking returns every string as it is).</summary>
    public bool IsEmpty => _values.Length == 0;

    /// <summary>
    /// Registers <paramref name="value"/> (ignored when shorter than <see cref="MinimumLength"/>). Each line
    /// of a multi-line value is registered too, because logs arrive line by line.
    /// </summary>
    public void Add(string? value)
    {
        if (value is null || value.Length < MinimumLength)
        {
            return;
        }

        var candidates = new List<string> { value };
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            candidates.AddRange(value.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length >= MinimumLength));
        }

        lock (_gate)
        {
            var current = _values;
            var added = candidates.Where(c => Array.IndexOf(current, c) < 0).Distinct(StringComparer.Ordinal).ToList();
            if (added.Count == 0)
            {
                return;
            }

            _values = [.. current.Concat(added).OrderByDescending(v => v.Length).ThenBy(v => v, StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// Returns <paramref name="text"/> with every registered value replaced by <see cref="Replacement"/>,
    /// longest values first. Returns the same instance when nothing matched (or nothing is registered).
    /// </summary>
    public string Mask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = _values;
        if (values.Length == 0 || text.Length < MinimumLength)
        {
            return text;
        }

        var result = text;
        foreach (var value in values)
        {
            if (result.Contains(value, StringComparison.Ordinal))
            {
                result = result.Replace(value, Replacement, StringComparison.Ordinal);
            }
        }

        return result;
    }
}
