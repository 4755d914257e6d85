using Pipelines.Attempts;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Docker.Rendering;

/// <summary>
/// Docker has labels only: the task's labels, then its annotations, then the attempt's identity
/// (which always wins, so a restarted host can find what it started). Sorted, for stable output.
/// </summary>
internal static class LabelMapping
{
    public static SortedDictionary<string, string> Container(ContainerTask task, ImmutableSortedDictionary<string, string> identity, DiagnosticCollector diagnostics)
    {
        var labels = new SortedDictionary<string, string>(task.Labels, StringComparer.Ordinal);
        foreach (var (key, value) in task.Annotations)
        {
            if (!labels.TryGetValue(key, out var label))
            {
                labels[key] = value;
            }
            else if (label != value)
            {
                diagnostics.Warning($"annotations.{key}", $"Docker has no annotations, so annotations become labels; the label '{key}' has the same key, and its value '{label}' is kept");
            }
        }

        foreach (var (key, value) in identity)
        {
            if (labels.ContainsKey(key))
            {
                diagnostics.Warning(task.Labels.ContainsKey(key) ? $"labels.{key}" : $"annotations.{key}", $"'{key}' is an identity label set by Pipelines; the task's value is replaced");
            }

            labels[key] = value;
        }

        return labels;
    }

    /// <summary>The identity labels plus the exact attempt id, which Docker keeps as a label.</summary>
    public static ImmutableSortedDictionary<string, string> Identity(ResolvedTask task) =>
        AttemptNames.Labels(task.DagId, task.Run.RunId, task.Task.Id, task.TryNumber)
            .Add(AttemptNames.AttemptAnnotation, AttemptNames.AttemptId(task.DagId, task.Run.RunId, task.Task.Id, task.TryNumber));
}
