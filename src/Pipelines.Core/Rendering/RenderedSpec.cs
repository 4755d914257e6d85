using System.Text.Json.Nodes;
using Pipelines.Resolution;

namespace Pipelines.Rendering;

/// <summary>
/// What one target would receive for one task attempt: the spec as canonical JSON (a pod, or a
/// Docker create request with what the Docker runtime adds), its name, and every diagnostic.
/// </summary>
/// <param name="TaskId">The task.</param>
/// <param name="Target"><c>kubernetes</c> or <c>docker</c>.</param>
/// <param name="Name">The pod or container name.</param>
/// <param name="Spec">The spec as the target's own JSON, keys as the target spells them.</param>
/// <param name="Diagnostics">Settings the target cannot honour, and errors.</param>
public sealed record RenderedSpec(string TaskId, string Target, string Name, JsonObject Spec, ImmutableArray<RenderDiagnostic> Diagnostics)
{
    /// <summary>The spec as stable YAML: sorted keys, no timestamps, secrets as references.</summary>
    public string ToYaml() => CanonicalYaml.Write(Spec);
}

/// <summary>Renders a task attempt for one target (Kubernetes pods, Docker containers).</summary>
public interface ISpecRenderer
{
    /// <summary>The target name: <c>kubernetes</c> or <c>docker</c>.</summary>
    string Target { get; }

    /// <summary>Renders one attempt; never throws for a setting the target cannot honour — that is a diagnostic.</summary>
    /// <param name="task">The attempt, with every template resolved.</param>
    /// <param name="projectRoot">The folder of <c>pipelines.json</c>: relative paths (pod templates) start there.</param>
    RenderedSpec Render(ResolvedTask task, string projectRoot);

    /// <summary>
    /// What this target refuses in a task as defined, before any template renders: the errors a render
    /// would report for the values written out (on Kubernetes Secret, ConfigMap and claim names, label
    /// keys; on Docker volume names; …). <c>validate</c> asks every target an environment uses. A field
    /// that holds a template is left out (see <see cref="DefinitionChecks.LiteralErrors"/>): it is
    /// checked when an attempt renders.
    /// </summary>
    /// <param name="dagId">The DAG, named in the diagnostics.</param>
    /// <param name="task">A task of a DAG that built, its templates not rendered.</param>
    ImmutableArray<RenderDiagnostic> CheckDefinition(string dagId, ContainerTask task);
}
