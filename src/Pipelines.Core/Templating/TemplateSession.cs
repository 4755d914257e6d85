using System.Globalization;
using System.Text;
using Pipelines.Templating.Evaluation;
using Pipelines.Templating.Parsing;
using Scriban.Syntax;

namespace Pipelines.Templating;

/// <summary>
/// Resolves the templates in the fields of one task attempt (one <see cref="TemplateScope"/>). The Scriban context is built once
/// per session, on the first expression (a task without expressions never builds one), and reused for every
/// field — and, after <see cref="Reset"/>, for the next attempt: the executor resolves every attempt of a run
/// with one session, so a run builds one context, not one per attempt. Not thread-safe: use a session from one thread.
/// </summary>
public sealed class TemplateSession
{
    private readonly TemplateCache _cache;
    private EvaluationContext? _context;
    private StringBuilder? _builder;

    internal TemplateSession(TemplateCache cache, TemplateScope scope)
    {
        _cache = cache;
        Scope = scope;
    }

    /// <summary>The values this session resolves with.</summary>
    public TemplateScope Scope { get; private set; }

    /// <summary>Resolves another attempt's fields from now on, keeping the Scriban context (its names now read <paramref name="scope"/>).</summary>
    public void Reset(TemplateScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Scope = scope;
        _context?.Reset(scope);
    }

    /// <summary>
    /// Resolves <paramref name="text"/>: each <c>&lt;&lt; expr &gt;&gt;</c> is replaced by its value and each
    /// <c>\&lt;&lt;</c> by <c>&lt;&lt;</c>. A text without <c>&lt;&lt;</c> is returned as the same instance.
    /// </summary>
    /// <param name="text">The field's text as written in the DAG.</param>
    /// <param name="field">The field's name for errors, e.g. <c>args[1]</c> or <c>env.SOURCE_DB_HOST</c>.</param>
    /// <exception cref="TemplateException">
    /// A syntax error, an unknown name or member outside the left of <c>??</c>, a null value (unless the whole
    /// expression is <c>a ?? b</c>), a non-finite number, or a Scriban runtime error.
    /// </exception>
    public string Resolve(string text, string field)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TemplateScanner.MayContainTemplate(text))
        {
            return text;
        }

        var parsed = _cache.GetTemplate(text);
        if (parsed.FirstError is { } error)
        {
            throw Fail(field, error.Expression, error.Message, null);
        }

        var parts = parsed.Parts;
        if (parts.Length == 1)
        {
            return parts[0].Literal ?? Evaluate(parts[0].Expression!, field);
        }

        var builder = _builder ??= new StringBuilder();
        builder.Clear();
        foreach (var part in parts)
        {
            builder.Append(part.Literal ?? Evaluate(part.Expression!, field));
        }

        return builder.ToString();
    }

    private string Evaluate(ParsedExpression expression, string field)
    {
        if (Scope.PreviewOutputs && Array.Exists(expression.References, r => r.Root == TemplateNames.Tasks))
        {
            return "<< " + expression.Text + " >>";
        }

        var context = _context ??= new EvaluationContext(Scope);
        context.Current = expression;
        object? value;
        try
        {
            value = context.Evaluate(expression.Syntax!);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Scriban may leave its stacks mid-evaluation; the next resolution starts from a fresh context.
            _context = null;
            var reason = TemplateFailure.Find(e)?.Message ?? (e as ScriptRuntimeException)?.OriginalMessage ?? e.Message;
            throw Fail(field, expression.Text, reason, e);
        }
        finally
        {
            context.Current = null;
        }

        return ToText(value, expression, field, context);
    }

    private string ToText(object? value, ParsedExpression expression, string field, EvaluationContext context)
    {
        switch (value)
        {
            case string text:
                return text;
            case null when expression.IsTopLevelCoalesce:
                return ""; // `a ?? null` asks for "nothing" explicitly
            case null:
                throw Fail(field, expression.Text, "evaluated to null; give a default with '??', e.g. << x ?? \"default\" >>", null);
            case bool flag:
                return flag ? "true" : "false";
            case double number when !double.IsFinite(number):
                throw Fail(field, expression.Text, $"evaluated to {number.ToString(CultureInfo.InvariantCulture)} (division by zero?)", null);
            case float number when !float.IsFinite(number):
                throw Fail(field, expression.Text, $"evaluated to {number.ToString(CultureInfo.InvariantCulture)} (division by zero?)", null);
            case JsonObjectView json:
                return json.Source.GetRawText();
            case JsonArrayValue json:
                return json.Source.GetRawText();
            case IFormattable formattable when value is not DateTime and not DateTimeOffset:
                return formattable.ToString(null, CultureInfo.InvariantCulture);
            default:
                return context.ObjectToString(value) ?? ""; // Scriban's rendering of its arrays, objects and dates
        }
    }

    private TemplateException Fail(string field, string expression, string reason, Exception? inner) =>
        new(Scope.DagId, Scope.TaskId, field, expression, reason, inner);
}
