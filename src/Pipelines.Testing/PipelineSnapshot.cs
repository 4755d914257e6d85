using System.Text.Json.Nodes;
using Pipelines.Environments;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Testing;

/// <summary>
/// Renders a DAG for a logical date and environment to one stable YAML document — the same
/// renderers and serializer as the <c>render</c> verb, with sorted keys, no timestamps and secrets
/// as references — ready for <see cref="Snapshot.Match"/>.
/// </summary>
public static class PipelineSnapshot
{
    /// <summary>
    /// Every task of <paramref name="dag"/> (in topological order) as <paramref name="renderer"/>'s
    /// target receives it for <paramref name="date"/>, with its diagnostics, in one document.
    /// </summary>
    /// <param name="dag">The DAG.</param>
    /// <param name="date">The logical date.</param>
    /// <param name="renderer">The target, such as <c>new PodRenderer()</c> or <c>new ContainerRenderer()</c>.</param>
    /// <param name="environment">The environment; the built-in <c>local</c> one when null.</param>
    /// <param name="projectRoot">Where relative paths (pod templates) start; the current directory when null.</param>
    /// <param name="parameters">Parameter overrides, as text.</param>
    public static string Render(
        Dag dag,
        DateOnly date,
        ISpecRenderer renderer,
        EnvironmentConfig? environment = null,
        string? projectRoot = null,
        IReadOnlyDictionary<string, string>? parameters = null) =>
        Document(dag, date, renderer, environment, projectRoot, parameters, dag.TopologicalOrder);

    /// <summary>One task of <paramref name="dag"/>, as <see cref="Render"/> shows it.</summary>
    public static string RenderTask(
        Dag dag,
        string taskId,
        DateOnly date,
        ISpecRenderer renderer,
        EnvironmentConfig? environment = null,
        string? projectRoot = null,
        IReadOnlyDictionary<string, string>? parameters = null) =>
        Document(dag, date, renderer, environment, projectRoot, parameters, [dag[taskId].Id]);

    private static string Document(
        Dag dag,
        DateOnly date,
        ISpecRenderer renderer,
        EnvironmentConfig? environment,
        string? projectRoot,
        IReadOnlyDictionary<string, string>? parameters,
        IEnumerable<string> taskIds)
    {
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(renderer);
        environment ??= EnvironmentConfig.DefaultLocal;
        var run = RunContext.Create(dag, date, environment, parameters);
        var tasks = new JsonObject();
        foreach (var id in taskIds)
        {
            var spec = renderer.Render(TaskResolver.Preview(run, dag[id]), projectRoot ?? Environment.CurrentDirectory);
            var entry = new JsonObject { ["name"] = spec.Name, ["spec"] = spec.Spec.DeepClone() };
            if (!spec.Diagnostics.IsEmpty)
            {
                entry["diagnostics"] = new JsonArray([.. spec.Diagnostics.Select(d => JsonValue.Create($"{(d.Severity == DiagnosticSeverity.Error ? "error" : "warning")}: {d.Field}: {d.Message}"))]);
            }

            tasks[id] = entry;
        }

        var document = new JsonObject
        {
            ["dag"] = dag.Id,
            ["date"] = date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["environment"] = environment.Name,
            ["target"] = renderer.Target,
            ["tasks"] = tasks,
        };
        return CanonicalYaml.Write(document);
    }
}
