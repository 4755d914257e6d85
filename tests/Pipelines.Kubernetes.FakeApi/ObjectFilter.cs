namespace Pipelines.Kubernetes.FakeApi;

/// <summary>Which objects a list or watch sees: a namespace (or all), a label selector and a field selector.</summary>
internal sealed class ObjectFilter
{
    private readonly string? _namespace;
    private readonly IReadOnlyList<Func<IReadOnlyDictionary<string, string>, bool>> _labels;
    private readonly IReadOnlyList<(string Field, string Value, bool Equal)> _fields;

    private ObjectFilter(string? @namespace, IReadOnlyList<Func<IReadOnlyDictionary<string, string>, bool>> labels, IReadOnlyList<(string, string, bool)> fields)
    {
        _namespace = @namespace;
        _labels = labels;
        _fields = fields;
    }

    /// <summary>Every object of every namespace.</summary>
    public static ObjectFilter All { get; } = new(null, [], []);

    /// <summary>
    /// Parses the selectors of a request; returns null and the message of the real server's 400 when one does not parse
    /// or names a field the kind does not support.
    /// </summary>
    public static ObjectFilter? Parse(string? @namespace, string? labelSelector, string? fieldSelector, IReadOnlySet<string> supportedFields, out string error)
    {
        error = "";
        var labels = new List<Func<IReadOnlyDictionary<string, string>, bool>>();
        foreach (var requirement in SplitTopLevel(labelSelector))
        {
            var matcher = LabelRequirement(requirement);
            if (matcher is null)
            {
                error = $"unable to parse requirement: found '{requirement}', expected: key, key=value, key!=value, !key, key in (...) or key notin (...)";
                return null;
            }

            labels.Add(matcher);
        }

        var fields = new List<(string, string, bool)>();
        foreach (var requirement in SplitTopLevel(fieldSelector))
        {
            var notEqual = requirement.IndexOf("!=", StringComparison.Ordinal);
            var equal = requirement.IndexOf('=', StringComparison.Ordinal);
            if (notEqual <= 0 && equal <= 0)
            {
                error = $"invalid selector: '{fieldSelector}'; can't understand '{requirement}'";
                return null;
            }

            var key = (notEqual > 0 ? requirement[..notEqual] : requirement[..equal]).Trim();
            var value = notEqual > 0 ? requirement[(notEqual + 2)..] : requirement[(equal + 1)..];
            value = (notEqual <= 0 && value.StartsWith('=') ? value[1..] : value).Trim();
            if (!supportedFields.Contains(key))
            {
                error = $"field label not supported: {key}";
                return null;
            }

            fields.Add((key, value, notEqual <= 0));
        }

        return new ObjectFilter(string.IsNullOrEmpty(@namespace) ? null : @namespace, labels, fields);
    }

    /// <summary>Whether <paramref name="obj"/> is in the filter's namespace and matches both selectors.</summary>
    public bool Matches(StoredObject obj)
    {
        if (_namespace is not null && obj.Namespace != _namespace)
        {
            return false;
        }

        foreach (var label in _labels)
        {
            if (!label(obj.Labels))
            {
                return false;
            }
        }

        foreach (var (field, value, equal) in _fields)
        {
            var actual = obj.Fields.TryGetValue(field, out var v) ? v : "";
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// What a watcher with this filter sees of <paramref name="change"/>, as the API server's watch cache tells it: an
    /// object that begins to match is ADDED, one that stops matching is DELETED, one that never matched is not sent.
    /// </summary>
    public WatchItem? Translate(Change change)
    {
        var now = Matches(change.Object);
        var before = change.Previous is not null && Matches(change.Previous);
        return change.Type switch
        {
            "ADDED" => now ? new WatchItem("ADDED", change.Object) : null,
            "DELETED" => now || before ? new WatchItem("DELETED", change.Object) : null,
            _ when now && before => new WatchItem("MODIFIED", change.Object),
            _ when now => new WatchItem("ADDED", change.Object),
            _ when before => new WatchItem("DELETED", change.Object),
            _ => null,
        };
    }

    // Splits "a=b,c in (x,y),!d" on the commas that are not inside parentheses.
    private static List<string> SplitTopLevel(string? selector)
    {
        var parts = new List<string>();
        if (string.IsNullOrWhiteSpace(selector))
        {
            return parts;
        }

        var depth = 0;
        var start = 0;
        for (var i = 0; i <= selector.Length; i++)
        {
            if (i == selector.Length || (selector[i] == ',' && depth == 0))
            {
                var part = selector[start..i].Trim();
                if (part.Length > 0)
                {
                    parts.Add(part);
                }

                start = i + 1;
            }
            else if (selector[i] == '(')
            {
                depth++;
            }
            else if (selector[i] == ')')
            {
                depth--;
            }
        }

        return parts;
    }

    private static Func<IReadOnlyDictionary<string, string>, bool>? LabelRequirement(string requirement)
    {
        foreach (var (word, inSet) in new[] { (" notin ", false), (" in ", true) })
        {
            var at = requirement.IndexOf(word, StringComparison.Ordinal);
            if (at > 0)
            {
                var key = requirement[..at].Trim();
                var set = requirement[(at + word.Length)..].Trim();
                if (!set.StartsWith('(') || !set.EndsWith(')'))
                {
                    return null;
                }

                var values = set[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
                return inSet
                    ? labels => labels.TryGetValue(key, out var v) && values.Contains(v)
                    : labels => !labels.TryGetValue(key, out var v) || !values.Contains(v);
            }
        }

        if (requirement.Contains("!=", StringComparison.Ordinal))
        {
            var (key, value) = Halves(requirement, "!=");
            return labels => !labels.TryGetValue(key, out var v) || v != value;
        }

        if (requirement.Contains('=', StringComparison.Ordinal))
        {
            var (key, value) = Halves(requirement, requirement.Contains("==", StringComparison.Ordinal) ? "==" : "=");
            return labels => labels.TryGetValue(key, out var v) && v == value;
        }

        if (requirement.StartsWith('!'))
        {
            var key = requirement[1..].Trim();
            return key.Length == 0 || key.Contains(' ', StringComparison.Ordinal) ? null : labels => !labels.ContainsKey(key);
        }

        return requirement.Contains(' ', StringComparison.Ordinal) ? null : labels => labels.ContainsKey(requirement);
    }

    private static (string Key, string Value) Halves(string requirement, string op)
    {
        var at = requirement.IndexOf(op, StringComparison.Ordinal);
        return (requirement[..at].Trim(), requirement[(at + op.Length)..].Trim());
    }
}
