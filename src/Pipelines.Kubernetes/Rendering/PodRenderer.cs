using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Pipelines.Attempts;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Kubernetes.Rendering;

/// <summary>
/// Renders a task attempt as a Kubernetes <see cref="V1Pod"/>. Every common setting maps to a pod
/// field; what a pod cannot honour, or what the API server would reject, is a diagnostic naming the
/// task's field — never dropped silently.
/// </summary>
/// <remarks>
/// <para>The pod: <c>restartPolicy: Never</c> (Pipelines retries with a new pod, not the kubelet);
/// the task's container is <c>spec.containers[0]</c>, named <c>base</c>; its output file
/// <see cref="AttemptContract.OutputPath"/> is the container's <c>terminationMessagePath</c>, so the kubelet returns the
/// task's JSON output in the pod status, on a small emptyDir so it is writable under a read-only root
/// filesystem. Identity labels (<see cref="AttemptNames.Labels"/>) win over the task's labels; the
/// exact attempt id is the <see cref="AttemptNames.AttemptAnnotation"/> annotation.
/// <c>ExecutionTimeout</c> is also <c>activeDeadlineSeconds</c>, <c>StopGracePeriod</c> is
/// <c>terminationGracePeriodSeconds</c> (both rounded up to whole seconds). Sidecars are native:
/// init containers with <c>restartPolicy: Always</c>, after the plain init containers.</para>
/// <para>Order of work: the task's pod is built; a pod template (<c>PodTemplateFile</c>, relative to the
/// project root) is merged under it by the rules of the merge — objects and maps field by field,
/// the task winning; <c>containers</c> and <c>initContainers</c> by name (the template's <c>base</c>
/// merged field by field with the task's); <c>env</c> and <c>volumes</c> by name; <c>volumeMounts</c> by
/// mount path; <c>tolerations</c> by key, operator, value and effect (the template's kept, the task's
/// added); other lists the task sets replace the template's — then the patches run, last; then the
/// finished pod is checked (container and volume names, mounts of undeclared volumes, labels).</para>
/// <para>Settings a pod has no field for (<c>StartupTimeout</c>, <c>Cleanup</c>, <c>Retry</c>,
/// trigger rules, pools) are the runtime's and executor's, not the pod's.</para>
/// </remarks>
public sealed class PodRenderer : ISpecRenderer
{
    /// <summary>The target name.</summary>
    public const string TargetName = "kubernetes";

    /// <summary>The name of the pod volume mounted at <see cref="AttemptContract.OutputDirectory"/>, an emptyDir.</summary>
    public const string OutputVolumeName = "pipelines-output";

    private readonly PodTemplateReader _templates = new();

    /// <inheritdoc />
    public string Target => TargetName;

    /// <inheritdoc />
    public RenderedSpec Render(ResolvedTask task, string projectRoot)
    {
        var pod = RenderPod(task, projectRoot, out var diagnostics);
        var spec = JsonNode.Parse(KubernetesJson.Serialize(pod))!.AsObject();
        return new RenderedSpec(task.Task.Id, TargetName, pod.Metadata?.Name ?? string.Empty, spec, diagnostics);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The task's own settings as the API server checks them (<c>TaskChecks</c>: labels, annotations,
    /// Secret and ConfigMap names and keys, host aliases, security) and its volumes (claim, Secret and
    /// ConfigMap names, items, mount and sub paths). A pod template and patches are read only by a render.
    /// </remarks>
    public ImmutableArray<RenderDiagnostic> CheckDefinition(string dagId, ContainerTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var collector = new DiagnosticCollector(dagId, task.Id, TargetName);
        TaskChecks.Check(task, collector);
        PodVolumePlan.Create(task, [], collector);
        return DefinitionChecks.LiteralErrors(task, collector.ToImmutable());
    }

    /// <summary>
    /// Renders one attempt as a pod, for the runtime. The pod is returned even when
    /// <paramref name="diagnostics"/> holds errors; such a pod must not be submitted.
    /// </summary>
    /// <param name="task">The attempt, with every template resolved.</param>
    /// <param name="projectRoot">The folder of <c>pipelines.json</c>; pod template paths start there.</param>
    /// <param name="diagnostics">Warnings (settings not honoured as written) and errors (the pod is not valid).</param>
    public V1Pod RenderPod(ResolvedTask task, string projectRoot, out ImmutableArray<RenderDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(projectRoot);
        var collector = new DiagnosticCollector(task.DagId, task.Task.Id, TargetName);
        var options = task.Task.RuntimeOptions.Get<KubernetesOptions>() ?? new KubernetesOptions();

        var template = ReadTemplate(options, projectRoot, collector);
        var templateVolumes = template?["spec"]?["volumes"] is JsonArray volumes
            ? KubernetesJson.Deserialize<List<V1Volume>>(volumes.ToJsonString())
            : [];

        TaskChecks.Check(task.Task, collector);
        var plan = PodVolumePlan.Create(task.Task, templateVolumes, collector);
        var pod = PodFactory.Create(task, options, plan, collector);
        if (template is not null)
        {
            pod = MergeTemplate(template, pod, options, collector);
        }

        for (var i = 0; i < options.Patches.Length; i++)
        {
            try
            {
                options.Patches[i](pod);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A patch is user code: its failure is that task's error, not the whole render's.
                collector.Error($"kubernetes.patches[{i}]", $"the patch threw {ex.GetType().Name}: {ex.Message}");
            }
        }

        PodChecks.Check(pod, task.Task, options, collector);
        diagnostics = collector.ToImmutable();
        return pod;
    }

    private JsonObject? ReadTemplate(KubernetesOptions options, string projectRoot, DiagnosticCollector diagnostics)
    {
        if (options.PodTemplateFile is not { Length: > 0 } file)
        {
            return null;
        }

        var template = _templates.Read(Path.GetFullPath(Path.Combine(projectRoot, file)), file);
        foreach (var (severity, message) in template.Problems)
        {
            diagnostics.Add(severity, "kubernetes.podTemplateFile", message);
        }

        return template.ClonePod();
    }

    private static V1Pod MergeTemplate(JsonObject template, V1Pod pod, KubernetesOptions options, DiagnosticCollector diagnostics)
    {
        if (template["spec"]?["restartPolicy"]?.ToString() is { } policy && policy != "Never")
        {
            diagnostics.Warning("kubernetes.podTemplateFile",
                $"{options.PodTemplateFile}: restartPolicy '{policy}' is replaced by Never: Pipelines retries with a new pod per attempt");
        }

        var rendered = JsonNode.Parse(KubernetesJson.Serialize(pod))!.AsObject();
        var merged = PodTemplateMerge.Merge(template, rendered);
        return KubernetesJson.Deserialize<V1Pod>(merged.ToJsonString());
    }
}
