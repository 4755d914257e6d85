using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace Pipelines.Templating.Evaluation;

/// <summary>
/// Accessor for numbers and booleans: they have no members. Scriban's own accessor answers "found, null",
/// which would hide a typo like <c>params.limit.value</c>; this one reports "not found" so the lookup is strict.
/// </summary>
internal sealed class NoMembersAccessor : IObjectAccessor
{
    public static NoMembersAccessor Instance { get; } = new();

    public Type IndexType => typeof(object);

    public bool HasIndexer => false;

    public int GetMemberCount(TemplateContext context, SourceSpan span, object target) => 0;

    public IEnumerable<string> GetMembers(TemplateContext context, SourceSpan span, object target) => [];

    public bool HasMember(TemplateContext context, SourceSpan span, object target, string member) => false;

    public bool TryGetValue(TemplateContext context, SourceSpan span, object target, string member, out object? value)
    {
        value = null;
        return false;
    }

    public bool TrySetValue(TemplateContext context, SourceSpan span, object target, string member, object? value) => false;

    public bool TryGetItem(TemplateContext context, SourceSpan span, object target, object index, out object? value)
    {
        value = null;
        return false;
    }

    public bool TrySetItem(TemplateContext context, SourceSpan span, object target, object index, object? value) => false;
}
