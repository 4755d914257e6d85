using System.Buffers;

namespace Pipelines.Secrets;

/// <summary>
/// Replaces secret values with <c>***</c> in log lines, messages and reasons, in every form a task is
/// likely to print them (as GitHub Actions' runner does with its value encoders):
/// <list type="bullet">
/// <item>the value itself, and each line of a multi-line value (logs arrive line by line; <c>\r\n</c> too);</item>
/// <item>JSON-escaped, in any style — <c>\"</c>, <c>\\</c>, <c>\n</c>, <c>\u0022</c>, <c>\u00e9</c> — because text
/// with a backslash is also searched with its JSON escapes decoded;</item>
/// <item>base64 (standard and URL-safe) of its UTF-8 bytes, standalone or inside a longer base64 text at any
/// byte offset (<c>base64("user:" + secret)</c>): the characters that encode only the secret's bytes are masked;</item>
/// <item>percent-encoded (<c>%2F</c> or <c>%2f</c>, space as <c>%20</c> or <c>+</c>).</item>
/// </list>
/// Values shorter than <see cref="MinimumLength"/> are not masked (masking every <c>a</c> or <c>42</c> would
/// ruin logs and hide nothing); <see cref="TooShort"/> names them so the host can warn before a run.
/// Thread-safe: values are added under a lock and read from an immutable snapshot.
/// </summary>
public sealed class SecretMasker
{
    /// <summary>What a secret value is replaced with.</summary>
    public const string Replacement = "***";

    /// <summary>Shorter values are not masked.</summary>
    public const int MinimumLength = 3;

    // A JSON escape is at most 6 characters (\uXXXX) for one character of the value.
    private const int LongestEscape = 6;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _sources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly List<string> _tooShort = [];
    private volatile Needles _needles = Needles.Empty;

    /// <summary>True when no value is registered (masking returns every string as it is).</summary>
    public bool IsEmpty => _needles.Values.Length == 0;

    /// <summary>The sources (see <see cref="Add(string?, string?)"/>) of values too short to be masked, in the order added.</summary>
    public IReadOnlyList<string> TooShort
    {
        get
        {
            lock (_gate)
            {
                return [.. _tooShort];
            }
        }
    }

    /// <summary>The length of the longest text that <see cref="Mask"/> looks for, escaped forms included.</summary>
    public int LongestMatch => _needles.Longest * LongestEscape;

    /// <summary>Registers <paramref name="value"/> with every encoded form; see <see cref="Add(string?, string?)"/>.</summary>
    public void Add(string? value) => Add(value, null);

    /// <summary>
    /// Registers <paramref name="value"/>, each of its lines and each of its encoded forms.
    /// </summary>
    /// <param name="value">The secret value.</param>
    /// <param name="source">What the value is, for messages: <c>secret 'db' key 'PASSWORD'</c>. Never the value.</param>
    /// <returns>False when the value is too short to be masked (it is then listed in <see cref="TooShort"/>).</returns>
    public bool Add(string? value, string? source)
    {
        if (string.IsNullOrEmpty(value))
        {
            return true; // nothing to leak
        }

        source ??= "a secret";
        if (value.Length < MinimumLength)
        {
            lock (_gate)
            {
                if (!_tooShort.Contains(source))
                {
                    _tooShort.Add(source);
                }
            }

            return false;
        }

        var forms = SecretEncodings.Forms(value).Where(f => f.Length >= MinimumLength).ToList();
        lock (_gate)
        {
            _values.TryAdd(value, source);
            var added = false;
            foreach (var form in forms)
            {
                added |= _sources.TryAdd(form, source);
            }

            if (added)
            {
                _needles = new Needles(_sources);
            }
        }

        return true;
    }

    /// <summary>
    /// Returns <paramref name="text"/> with every registered value, in every form, replaced by
    /// <see cref="Replacement"/> (overlapping matches become one). Returns the same instance when nothing matched.
    /// </summary>
    public string Mask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var needles = _needles;
        if (needles.Values.Length == 0 || text.Length < MinimumLength)
        {
            return text;
        }

        var spans = Matches(text, needles, stopAtFirst: false);
        if (spans.Count == 0)
        {
            return text;
        }

        spans.Sort();
        var masked = new System.Text.StringBuilder(text.Length);
        var copied = 0;
        var (start, end) = spans[0];
        foreach (var (s, e) in spans.Skip(1))
        {
            if (s <= end)
            {
                end = Math.Max(end, e);
                continue;
            }

            masked.Append(text, copied, start - copied).Append(Replacement);
            copied = end;
            (start, end) = (s, e);
        }

        masked.Append(text, copied, start - copied).Append(Replacement).Append(text, end, text.Length - end);
        return masked.ToString();
    }

    /// <summary>What the first registered value found in <paramref name="text"/> (in any form) is, or null when none is.</summary>
    public string? FindIn(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var needles = _needles;
        if (needles.Values.Length == 0 || text.Length < MinimumLength)
        {
            return null;
        }

        var spans = Matches(text, needles, stopAtFirst: true, out var source);
        return spans.Count == 0 ? null : source;
    }

    /// <summary>What <paramref name="text"/> is when it is exactly a registered value (not a part or a form of one), else null.</summary>
    public string? SourceOfValue(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_gate)
        {
            return _values.GetValueOrDefault(text);
        }
    }

    /// <summary>
    /// Where to cut <paramref name="text"/> near <paramref name="preferred"/> so that no secret spans the cut:
    /// <paramref name="preferred"/> itself, or the start of a secret that crosses it (its end, when it starts at 0).
    /// The text should reach at least <see cref="LongestMatch"/> characters past the preferred cut, or be all there is.
    /// </summary>
    public int SafeCut(string text, int preferred)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(preferred);
        var needles = _needles;
        if (needles.Values.Length == 0 || preferred >= text.Length)
        {
            return Math.Min(preferred, text.Length);
        }

        var cut = preferred;
        foreach (var (start, end) in Matches(text, needles, stopAtFirst: false))
        {
            if (start < preferred && end > preferred)
            {
                cut = start > 0 ? Math.Min(cut, start) : Math.Max(cut, end);
            }
        }

        return cut;
    }

    private static List<(int Start, int End)> Matches(string text, Needles needles, bool stopAtFirst) =>
        Matches(text, needles, stopAtFirst, out _);

    private static List<(int Start, int End)> Matches(string text, Needles needles, bool stopAtFirst, out string? firstSource)
    {
        var spans = new List<(int, int)>();
        firstSource = Collect(text, needles, spans, null, stopAtFirst);
        if ((spans.Count == 0 || !stopAtFirst) && text.Contains('\\', StringComparison.Ordinal) && JsonEscapes.Decode(text) is { } decoded)
        {
            var source = Collect(decoded.Text, needles, spans, decoded, stopAtFirst);
            firstSource ??= source;
        }

        return spans;
    }

    // Adds the span of every match in `text` (mapped back to the original text through `decoded`); returns the first match's source.
    private static string? Collect(string text, Needles needles, List<(int, int)> spans, JsonEscapes.Decoded? decoded, bool stopAtFirst)
    {
        string? first = null;
        var offset = 0;
        while (offset <= text.Length - MinimumLength)
        {
            var found = text.AsSpan(offset).IndexOfAny(needles.Search);
            if (found < 0)
            {
                break;
            }

            var at = offset + found;
            foreach (var value in needles.Values)
            {
                if (text.AsSpan(at).StartsWith(value, StringComparison.Ordinal))
                {
                    spans.Add(decoded is null ? (at, at + value.Length) : (decoded.Start[at], decoded.End[at + value.Length - 1]));
                    first ??= needles.Sources[value];
                    break;
                }
            }

            if (stopAtFirst && first is not null)
            {
                break;
            }

            offset = at + 1;
        }

        return first;
    }

    /// <summary>An immutable snapshot of every form to look for, longest first, and a multi-string search over them.</summary>
    private sealed class Needles
    {
        public static readonly Needles Empty = new(new Dictionary<string, string>());

        public Needles(Dictionary<string, string> sources)
        {
            Sources = new Dictionary<string, string>(sources, StringComparer.Ordinal);
            Values = [.. sources.Keys.OrderByDescending(v => v.Length).ThenBy(v => v, StringComparer.Ordinal)];
            Search = SearchValues.Create(Values, StringComparison.Ordinal);
            Longest = Values.Length == 0 ? 0 : Values[0].Length;
        }

        public string[] Values { get; }

        public Dictionary<string, string> Sources { get; }

        public SearchValues<string> Search { get; }

        public int Longest { get; }
    }
}
