using Scriban.Parsing;
using Scriban.Syntax;

namespace Pipelines.Templating.Parsing;

/// <summary>
/// One expression, parsed once and shared by every render (immutable, so safe across threads).
/// </summary>
internal sealed class ParsedExpression
{
    private readonly GuardSpan[] _guards;

    public ParsedExpression(
        string text,
        ScriptExpression? syntax,
        string? error,
        GuardSpan[] guards,
        bool isTopLevelCoalesce,
        TemplateReference[] references)
    {
        Text = text;
        Syntax = syntax;
        Error = error;
        _guards = guards;
        IsTopLevelCoalesce = isTopLevelCoalesce;
        References = references;
    }

    /// <summary>The expression text between the delimiters, trimmed.</summary>
    public string Text { get; }

    /// <summary>The parsed expression; null when <see cref="Error"/> is set.</summary>
    public ScriptExpression? Syntax { get; }

    /// <summary>Why the expression is not valid; null when it is.</summary>
    public string? Error { get; }

    /// <summary>True when the whole expression is <c>a ?? b</c>: only then may it render null (as empty).</summary>
    public bool IsTopLevelCoalesce { get; }

    /// <summary>Top-level names the expression reads.</summary>
    public TemplateReference[] References { get; }

    /// <summary>
    /// True when a read at <paramref name="span"/> lies in the left operand of a <c>??</c>, where a missing
    /// name or member yields null instead of an error.
    /// </summary>
    public bool IsGuarded(SourceSpan span)
    {
        var start = span.Start.Offset;
        var end = span.End.Offset;
        foreach (var guard in _guards)
        {
            if (guard.Start <= start && end <= guard.End)
            {
                return true;
            }
        }

        return false;
    }

    public static ParsedExpression Invalid(string text, string error) => new(text, null, error, [], false, []);
}

/// <summary>Source offsets (inclusive) of the left operand of a <c>??</c>.</summary>
internal readonly record struct GuardSpan(int Start, int End);
