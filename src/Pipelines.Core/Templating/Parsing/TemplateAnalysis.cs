namespace Pipelines.Templating.Parsing;

/// <summary>
/// What a field text contains: its expressions' syntax errors and the names they read. Cached per distinct
/// text, so analysing the same text again returns the same instance.
/// </summary>
public sealed class TemplateAnalysis
{
    internal static readonly TemplateAnalysis None = new(false, [], []);

    internal TemplateAnalysis(bool hasExpressions, TemplateSyntaxError[] errors, TemplateReference[] references)
    {
        HasExpressions = hasExpressions;
        Errors = errors;
        References = references;
    }

    /// <summary>True when the text has at least one <c>&lt;&lt; &gt;&gt;</c> expression (valid or not).</summary>
    public bool HasExpressions { get; }

    /// <summary>Syntax errors, in text order; empty when every expression parsed.</summary>
    public IReadOnlyList<TemplateSyntaxError> Errors { get; }

    /// <summary>Every top-level name read, in text order (a name read twice is listed twice).</summary>
    public IReadOnlyList<TemplateReference> References { get; }

    /// <summary>True when there are no syntax errors.</summary>
    public bool IsValid => Errors.Count == 0;
}
