using Scriban;
using Scriban.Parsing;

namespace Pipelines.Templating.Evaluation;

/// <summary><c>params</c> or <c>var</c>: a read-only view over the scope's dictionary.</summary>
internal sealed class DictionaryObject<TValue>(string path, IReadOnlyDictionary<string, TValue> items) : ReadOnlyScriptObject
{
    public override string Path => path;

    public override int Count => items.Count;

    public override IEnumerable<string> GetMembers() => items.Keys;

    public override bool Contains(string member) => items.ContainsKey(member);

    public override bool TryGetValue(TemplateContext? context, SourceSpan span, string member, out object? value)
    {
        if (items.TryGetValue(member, out var item))
        {
            value = item;
            return true;
        }

        value = null;
        return false;
    }
}
