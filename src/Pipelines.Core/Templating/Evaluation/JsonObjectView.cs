using System.Text.Json;
using Scriban;
using Scriban.Parsing;

namespace Pipelines.Templating.Evaluation;

/// <summary>A JSON object of a task output; members convert on read, so unread parts cost nothing.</summary>
internal sealed class JsonObjectView(JsonElement source, string path) : ReadOnlyScriptObject
{
    /// <summary>The JSON object; rendering the whole object writes this JSON.</summary>
    public JsonElement Source => source;

    public override string Path => path;

    public override int Count => source.GetPropertyCount();

    public override IEnumerable<string> GetMembers()
    {
        foreach (var property in source.EnumerateObject())
        {
            yield return property.Name;
        }
    }

    public override bool Contains(string member) => source.TryGetProperty(member, out _);

    public override bool TryGetValue(TemplateContext? context, SourceSpan span, string member, out object? value)
    {
        if (source.TryGetProperty(member, out var property))
        {
            value = JsonValues.ToScript(property, path, member);
            return true;
        }

        value = null;
        return false;
    }
}
