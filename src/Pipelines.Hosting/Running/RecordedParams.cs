using System.Text.Json;
using Pipelines.Execution.State;
using Pipelines.Rendering;

namespace Pipelines.Hosting.Running;

/// <summary>
/// The parameter values a run was first recorded with. Resuming it with other values would mix them —
/// tasks that already ran used the recorded ones, the rest would use the new ones, and the store keeps
/// only the first — so <c>run</c> refuses before anything starts.
/// </summary>
internal static class RecordedParams
{
    /// <summary>The refusal, naming each differing parameter and how to go on; null when the values agree.</summary>
    public static string? Refusal(Dag dag, DagRunRecord recorded, RunContext run)
    {
        using var document = Parse(recorded.ParamsJson);
        var differences = new List<string>();
        var resumeWith = new List<string>();
        foreach (var (name, value) in run.Params.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            // A parameter the DAG gained since the run was recorded mixes nothing: no task ran with another value.
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty(name, out var was))
            {
                continue;
            }

            var requested = JsonSerializer.SerializeToElement(value);
            if (JsonElement.DeepEquals(was, requested))
            {
                continue;
            }

            differences.Add($"  {name}: recorded {was.GetRawText()}, requested {requested.GetRawText()}");
            resumeWith.Add(JsonElement.DeepEquals(was, JsonSerializer.SerializeToElement(dag.FindParam(name)?.Default))
                ? $"no --param {name}, its default"
                : $"--param {name}={(was.ValueKind == JsonValueKind.String ? was.GetString() : was.GetRawText())}");
        }

        return differences.Count == 0
            ? null
            : $"DAG '{dag.Id}' run {recorded.RunId} is recorded with other parameter values, and its tasks that ran used them; resuming with these would mix both:\n" +
              string.Join('\n', differences) + "\n" +
              $"Nothing was started. Resume it with the recorded values ({string.Join("; ", resumeWith)}), or run the new values with another run store (--state FILE).";
    }

    // Written by the executor, so always an object; a damaged record compares as having no parameters.
    private static JsonDocument Parse(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return JsonDocument.Parse("{}");
        }
    }
}
