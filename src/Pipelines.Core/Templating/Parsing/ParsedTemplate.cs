namespace Pipelines.Templating.Parsing;

/// <summary>
/// A field text split into literal pieces and parsed expressions, plus its analysis. Immutable and shared.
/// </summary>
internal sealed class ParsedTemplate
{
    public ParsedTemplate(TemplatePart[] parts, TemplateAnalysis analysis, TemplateSyntaxError? firstError)
    {
        Parts = parts;
        Analysis = analysis;
        FirstError = firstError;
    }

    /// <summary>Literal text and expressions in order; escapes (<c>\&lt;&lt;</c>) are already resolved.</summary>
    public TemplatePart[] Parts { get; }

    public TemplateAnalysis Analysis { get; }

    /// <summary>The first syntax error, reported when someone renders the text anyway.</summary>
    public TemplateSyntaxError? FirstError { get; }
}

/// <summary>Either literal text or an expression.</summary>
internal readonly record struct TemplatePart(string? Literal, ParsedExpression? Expression);
