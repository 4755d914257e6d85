using Scriban;
using Scriban.Parsing;
using Scriban.Syntax;

namespace Pipelines.Templating.Parsing;

/// <summary>
/// Parses the text between <c>&lt;&lt;</c> and <c>&gt;&gt;</c> as exactly one Scriban expression and collects
/// what it reads and where <c>??</c> guards a read.
/// </summary>
internal static class ExpressionParser
{
    private static readonly LexerOptions ScriptOnly = new() { Mode = ScriptMode.ScriptOnly };

    public static ParsedExpression Parse(string source)
    {
        var text = source.Trim();
        if (text.Length == 0)
        {
            return ParsedExpression.Invalid(text, "empty expression; write a Scriban expression between '<<' and '>>' (or '\\<<' for a literal '<<')");
        }

        // Node spans are offsets into this trimmed text; guards and runtime lookups compare them.
        var template = Template.Parse(text, lexerOptions: ScriptOnly);
        if (template.HasErrors)
        {
            return ParsedExpression.Invalid(text, "syntax error: " + string.Join("; ", template.Messages.Select(m => m.Message)));
        }

        var statements = template.Page?.Body?.Statements;
        if (statements is null || statements.Count == 0)
        {
            return ParsedExpression.Invalid(text, "empty expression; write a Scriban expression between '<<' and '>>'");
        }

        if (statements.Count > 1)
        {
            return ParsedExpression.Invalid(text, $"only one expression is allowed, found {statements.Count} statements");
        }

        if (statements[0] is not ScriptExpressionStatement { Expression: { } expression })
        {
            return ParsedExpression.Invalid(text, $"only an expression is allowed, not a '{StatementKind(statements[0])}' statement");
        }

        var walker = new ReferenceWalker(text);
        walker.Walk(expression);
        if (walker.Assignment is not null)
        {
            return ParsedExpression.Invalid(text, $"'{walker.Assignment}' changes a variable; a template expression only reads values (compare with '==')");
        }

        return new ParsedExpression(
            text,
            expression,
            null,
            [.. walker.Guards],
            Unwrap(expression) is ScriptBinaryExpression { Operator: ScriptBinaryOperator.EmptyCoalescing },
            [.. walker.References]);
    }

    private static ScriptExpression Unwrap(ScriptExpression expression)
    {
        while (expression is ScriptNestedExpression { Expression: { } inner })
        {
            expression = inner;
        }

        return expression;
    }

    private static string StatementKind(ScriptStatement statement)
    {
        var name = statement.GetType().Name;
        name = name.StartsWith("Script", StringComparison.Ordinal) ? name[6..] : name;
        name = name.EndsWith("Statement", StringComparison.Ordinal) ? name[..^9] : name;
        return name == "Function" ? "func" : name.ToLowerInvariant();
    }

    /// <summary>Pre-order walk: a <c>??</c> registers its guard before its operands are visited.</summary>
    private sealed class ReferenceWalker(string text)
    {
        public List<GuardSpan> Guards { get; } = [];

        public List<TemplateReference> References { get; } = [];

        public string? Assignment { get; private set; }

        public void Walk(ScriptNode? node)
        {
            switch (node)
            {
                case null:
                    return;
                case ScriptMemberExpression member:
                    Walk(member.Target); // the member name is not a variable read
                    return;
                case ScriptObjectMember objectMember:
                    Walk(objectMember.Value); // {key: value}: the key is a name, not a read
                    return;
                case ScriptNamedArgument named:
                    Walk(named.Value);
                    return;
                case ScriptAssignExpression or ScriptIncrementDecrementExpression:
                    Assignment ??= node.ToString();
                    return;
                case ScriptBinaryExpression { Operator: ScriptBinaryOperator.EmptyCoalescing } coalesce when coalesce.Left is { } left:
                    Guards.Add(new GuardSpan(left.Span.Start.Offset, left.Span.End.Offset));
                    break;
                case ScriptVariableGlobal variable:
                    References.Add(new TemplateReference(text, variable.Name, FirstMember(variable), IsGuarded(variable.Span)));
                    return;
            }

            for (var i = 0; i < node.ChildrenCount; i++)
            {
                Walk(node.GetChildren(i));
            }
        }

        // params.table -> "table"; tasks["extract-data"] -> "extract-data"; params[x] -> null.
        private static string? FirstMember(ScriptVariableGlobal variable) => variable.Parent switch
        {
            ScriptMemberExpression member when ReferenceEquals(member.Target, variable) => member.Member?.Name,
            ScriptIndexerExpression { Index: ScriptLiteral { Value: string key } } indexer when ReferenceEquals(indexer.Target, variable) => key,
            _ => null,
        };

        private bool IsGuarded(SourceSpan span)
        {
            foreach (var guard in Guards)
            {
                if (guard.Start <= span.Start.Offset && span.End.Offset <= guard.End)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
