using System.Collections.Concurrent;

namespace Pipelines.Templating.Parsing;

/// <summary>
/// Thread-safe parse cache keyed by full field text and by expression text, so each distinct expression is
/// parsed once no matter how many tasks or runs use it.
/// </summary>
internal sealed class TemplateCache
{
    // Field texts come from DAG code, so they are bounded in practice; the cap only protects against a caller
    // that feeds rendered or generated text. Past it we still parse, we just stop remembering.
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, ParsedTemplate> _texts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ParsedExpression> _expressions = new(StringComparer.Ordinal);
    private int _textCount;
    private int _expressionCount;

    public ParsedTemplate GetTemplate(string text)
    {
        if (_texts.TryGetValue(text, out var parsed))
        {
            return parsed;
        }

        parsed = ParseTemplate(text);
        if (Interlocked.Increment(ref _textCount) > MaxEntries)
        {
            return parsed;
        }

        // On a race the first stored instance wins, so callers always see one analysis per text.
        return _texts.GetOrAdd(text, parsed);
    }

    private ParsedExpression GetExpression(string source)
    {
        if (_expressions.TryGetValue(source, out var parsed))
        {
            return parsed;
        }

        parsed = ExpressionParser.Parse(source);
        return Interlocked.Increment(ref _expressionCount) > MaxEntries ? parsed : _expressions.GetOrAdd(source, parsed);
    }

    private ParsedTemplate ParseTemplate(string text)
    {
        var scanned = TemplateScanner.Scan(text);
        var parts = new TemplatePart[scanned.Count];
        var errors = new List<TemplateSyntaxError>();
        var references = new List<TemplateReference>();
        var hasExpressions = false;
        for (var i = 0; i < scanned.Count; i++)
        {
            var part = scanned[i];
            switch (part.Kind)
            {
                case ScannedPartKind.Literal:
                    parts[i] = new TemplatePart(part.Text, null);
                    break;
                case ScannedPartKind.Error:
                    hasExpressions = true;
                    errors.Add(new TemplateSyntaxError(part.Text, part.ErrorMessage!));
                    parts[i] = new TemplatePart(null, ParsedExpression.Invalid(part.Text, part.ErrorMessage!));
                    break;
                default:
                    hasExpressions = true;
                    var expression = GetExpression(part.Text);
                    if (expression.Error is not null)
                    {
                        errors.Add(new TemplateSyntaxError(expression.Text, expression.Error));
                    }

                    references.AddRange(expression.References);
                    parts[i] = new TemplatePart(null, expression);
                    break;
            }
        }

        var analysis = new TemplateAnalysis(hasExpressions, [.. errors], [.. references]);
        return new ParsedTemplate(parts, analysis, errors.Count > 0 ? errors[0] : null);
    }
}
