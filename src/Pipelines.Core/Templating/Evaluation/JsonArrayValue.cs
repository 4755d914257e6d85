using System.Text.Json;
using Scriban.Runtime;

namespace Pipelines.Templating.Evaluation;

/// <summary>
/// A JSON array of a task output as a Scriban array (so <c>array.*</c> functions and <c>.size</c> work); it
/// remembers its JSON so rendering the whole array writes JSON.
/// </summary>
internal sealed class JsonArrayValue : ScriptArray
{
    public JsonArrayValue(JsonElement source, string path)
        : base(source.GetArrayLength())
    {
        Source = source;
        Path = path;
        var index = 0;
        foreach (var item in source.EnumerateArray())
        {
            Add(JsonValues.ToScriptItem(item, path, index));
            index++;
        }
    }

    public JsonElement Source { get; }

    public string Path { get; }
}
