using System.Text.Json;
using Scriban;
using Scriban.Parsing;

namespace Pipelines.Templating.Evaluation;

/// <summary><c>tasks.&lt;id&gt;</c>: one upstream task; its only member is <c>output</c>.</summary>
internal sealed class TaskObject(string taskId, JsonElement output) : ReadOnlyScriptObject
{
    private const string Output = "output";

    public override string Path => JsonValues.Child(TemplateNames.Tasks, taskId);

    public override int Count => 1;

    public override IEnumerable<string> GetMembers() => [Output];

    public override bool Contains(string member) => member == Output;

    public override bool TryGetValue(TemplateContext? context, SourceSpan span, string member, out object? value)
    {
        if (member == Output)
        {
            value = JsonValues.ToScript(output, Path, Output);
            return true;
        }

        value = null;
        return false;
    }
}
