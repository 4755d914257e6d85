using System.Globalization;
using System.Numerics;
using Pipelines.Templating.Parsing;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Pipelines.Templating.Evaluation;

/// <summary>
/// The Scriban context of one session: the shared builtins, the scope's names on top, and strict lookups.
/// A missing name or member throws unless the read lies in the left operand of <c>??</c>
/// (<see cref="ParsedExpression.IsGuarded"/>), where it yields null so the right operand supplies the default.
/// </summary>
internal sealed class EvaluationContext : TemplateContext
{
    // Static so that no delegate is allocated per session; the state is on the context.
    private static readonly TryGetVariableDelegate MissingVariable = OnMissingVariable;
    private static readonly TryGetMemberDelegate MissingMember = OnMissingMember;

    public EvaluationContext(TemplateScope scope)
        : base(BuiltinObjects.Shared)
    {
        // A null target yields null instead of throwing, so `a.b.c ?? d` works when `a.b` is missing;
        // an unguarded null is still an error when the expression's value is rendered.
        EnableRelaxedTargetAccess = true;
        StrictVariables = false; // unknown names are reported by OnMissingVariable, which knows about ??
        TryGetVariable = MissingVariable;
        TryGetMember = MissingMember;
        _globals = new ScopeGlobals(scope);
        PushGlobal(_globals);
    }

    private readonly ScopeGlobals _globals;

    /// <summary>Reads <paramref name="scope"/>'s names from now on.</summary>
    public void Reset(TemplateScope scope) => _globals.Reset(scope);

    /// <summary>The expression being evaluated; lookups use it to tell guarded reads.</summary>
    public ParsedExpression? Current { get; set; }

    protected override IObjectAccessor? GetMemberAccessorImpl(object target) =>
        target is bool or int or long or double or float or decimal or BigInteger or short or byte or uint or ulong
            ? NoMembersAccessor.Instance
            : base.GetMemberAccessorImpl(target);

    private static bool OnMissingVariable(TemplateContext context, SourceSpan span, ScriptVariable variable, out object? value)
    {
        value = null;
        if (((EvaluationContext)context).Current?.IsGuarded(span) == true)
        {
            return true;
        }

        throw new TemplateFailure(
            $"unknown name '{variable.Name}'; the names are: {TemplateNames.GlobalsText}. For a literal '<<' write '\\<<'");
    }

    private static bool OnMissingMember(TemplateContext context, SourceSpan span, object target, string member, out object? value)
    {
        value = null;
        if (((EvaluationContext)context).Current?.IsGuarded(span) == true)
        {
            return true;
        }

        throw new TemplateFailure(DescribeMissing(context, target, member));
    }

    private static string DescribeMissing(TemplateContext context, object target, string member)
    {
        switch (target)
        {
            case ReadOnlyScriptObject view:
                return view.DescribeMissing(member);
            case JsonArrayValue array:
                return $"{array.Path} is an array of {array.Count} items; it has no '{member}' (use [index], .size or array functions)";
            case string text:
                return $"cannot read '{member}' of the string \"{text}\"";
            case ScriptObject builtin when BuiltinObjects.NameOf(builtin) is { } name:
                return $"{name} has no '{member}'; {name} has: {string.Join(", ", builtin.Keys.Order(StringComparer.Ordinal))}";
            case bool flag:
                return $"cannot read '{member}' of the bool {(flag ? "true" : "false")}";
            case IFormattable value:
                return $"cannot read '{member}' of the {context.GetTypeName(target)} {value.ToString(null, CultureInfo.InvariantCulture)}";
            default:
                return $"cannot read '{member}' of a {context.GetTypeName(target)} value";
        }
    }
}
