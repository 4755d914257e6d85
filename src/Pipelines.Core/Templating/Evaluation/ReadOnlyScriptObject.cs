using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace Pipelines.Templating.Evaluation;

/// <summary>
/// Base of the objects an expression reads (<c>params</c>, <c>var</c>, <c>tasks</c>, outputs): read-only views
/// over the scope's data, answering lookups without copying it into Scriban dictionaries.
/// </summary>
internal abstract class ReadOnlyScriptObject : IScriptObject
{
    /// <summary>How the object is written in an expression, e.g. <c>params</c> or <c>tasks.extract.output</c>.</summary>
    public abstract string Path { get; }

    public abstract int Count { get; }

    public bool IsReadOnly
    {
        get => true;
        set { }
    }

    public abstract IEnumerable<string> GetMembers();

    public abstract bool Contains(string member);

    public abstract bool TryGetValue(TemplateContext? context, SourceSpan span, string member, out object? value);

    /// <summary>The message for a member that does not exist, listing the ones that do.</summary>
    public virtual string DescribeMissing(string member) =>
        $"{Path} has no '{member}'; {Path} has: {ListMembers()}";

    protected string ListMembers()
    {
        var members = GetMembers().Order(StringComparer.Ordinal).ToList();
        return members.Count == 0 ? "(none)" : string.Join(", ", members);
    }

    public bool CanWrite(string member) => false;

    public bool TrySetValue(TemplateContext? context, SourceSpan span, string member, object? value, bool readOnly) => false;

    public bool Remove(string member) => false;

    public void SetReadOnly(string member, bool readOnly)
    {
    }

    // Immutable, so a clone is the object itself.
    public IScriptObject Clone(bool deep) => this;

    public override string ToString() => Path;
}
