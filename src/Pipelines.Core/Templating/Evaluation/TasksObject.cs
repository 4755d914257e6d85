using System.Text.Json;
using Scriban;
using Scriban.Parsing;

namespace Pipelines.Templating.Evaluation;

/// <summary><c>tasks</c>: the upstream tasks that produced an output, by task id.</summary>
internal sealed class TasksObject(IReadOnlyDictionary<string, JsonElement> outputs) : ReadOnlyScriptObject
{
    public override string Path => TemplateNames.Tasks;

    public override int Count => outputs.Count;

    public override IEnumerable<string> GetMembers() => outputs.Keys;

    public override bool Contains(string member) => outputs.ContainsKey(member);

    public override bool TryGetValue(TemplateContext? context, SourceSpan span, string member, out object? value)
    {
        if (outputs.TryGetValue(member, out var output))
        {
            value = new TaskObject(member, output);
            return true;
        }

        value = null;
        return false;
    }

    public override string DescribeMissing(string member) =>
        $"no output of task '{member}' is available (the task does not exist, is not upstream, or wrote no output); tasks with outputs: {ListMembers()}";
}
