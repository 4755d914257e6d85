using k8s.Models;
using Pipelines.Attempts;
using Pipelines.Rendering;

namespace Pipelines.Kubernetes.Rendering;

/// <summary>
/// Checks the finished pod (after the template merge and the patches) for what the Pod schema
/// cannot see but the API server rejects: the task's container first and named <c>base</c>,
/// unique container and volume names, mounts that name a declared volume, valid labels. Fields
/// are named <c>pod.…</c>, as the problem may come from the template or a patch.
/// </summary>
internal static class PodChecks
{
    public static void Check(V1Pod pod, ContainerTask task, KubernetesOptions options, DiagnosticCollector diagnostics)
    {
        if (!KubernetesNames.IsDnsSubdomain(pod.Metadata?.Name))
        {
            diagnostics.Error("pod.metadata.name", $"'{pod.Metadata?.Name}' is not a pod name (a DNS-1123 subdomain); a patch changed it");
        }

        var spec = pod.Spec;
        if (spec?.Containers is not { Count: > 0 } || spec.Containers[0].Name != KubernetesNames.BaseContainer)
        {
            diagnostics.Error("pod.spec.containers", $"the task's container '{KubernetesNames.BaseContainer}' must be spec.containers[0]; a template or a patch moved or removed it");
        }

        if (spec is null)
        {
            return;
        }

        if (spec.RestartPolicy != "Never")
        {
            diagnostics.Warning("pod.spec.restartPolicy", $"restartPolicy '{spec.RestartPolicy}' (set by a patch) lets the kubelet restart the task inside one attempt; Pipelines retries with new pods and expects Never");
        }

        var volumes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (spec.Volumes?.Count ?? 0); i++)
        {
            var name = spec.Volumes![i].Name;
            if (!KubernetesNames.IsDnsLabel(name) || !volumes.Add(name))
            {
                diagnostics.Error($"pod.spec.volumes[{i}].name", $"'{name}' is not a volume name Kubernetes accepts, or is used twice: volume names are unique DNS-1123 labels");
            }
        }

        var containerNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (list, kind) in new[] { (spec.Containers, "containers"), (spec.InitContainers, "initContainers") })
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                CheckContainer(list![i], $"pod.spec.{kind}[{i}]", volumes, containerNames, diagnostics);
            }
        }

        CheckLabels(pod.Metadata?.Labels, task.Labels.ContainsKey, "pod.metadata.labels", diagnostics);
        CheckLabels(spec.NodeSelector, options.NodeSelector.ContainsKey, "pod.spec.nodeSelector", diagnostics);
    }

    private static void CheckContainer(V1Container container, string at, HashSet<string> volumes, HashSet<string> names, DiagnosticCollector diagnostics)
    {
        if (!KubernetesNames.IsDnsLabel(container.Name))
        {
            diagnostics.Error($"{at}.name", $"'{container.Name}' is not a container name; use lowercase letters, digits and '-' (at most 63)");
        }
        else if (!names.Add(container.Name))
        {
            diagnostics.Error($"{at}.name", $"container name '{container.Name}' is used twice in the pod");
        }

        if (string.IsNullOrWhiteSpace(container.Image))
        {
            diagnostics.Error($"{at}.image", $"container '{container.Name}' has no image");
        }

        var paths = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < (container.VolumeMounts?.Count ?? 0); j++)
        {
            var mount = container.VolumeMounts![j];
            if (!volumes.Contains(mount.Name))
            {
                diagnostics.Error($"{at}.volumeMounts[{j}].name", $"container '{container.Name}' mounts volume '{mount.Name}', which the pod does not declare; declared: {string.Join(", ", volumes.Order(StringComparer.Ordinal))}");
            }

            if (!paths.Add(mount.MountPath))
            {
                diagnostics.Error($"{at}.volumeMounts[{j}].mountPath", $"container '{container.Name}' mounts two volumes at '{mount.MountPath}'");
            }
        }
    }

    // Labels the task set were checked (and named by their task field) already.
    private static void CheckLabels(IDictionary<string, string>? labels, Func<string, bool> fromTask, string at, DiagnosticCollector diagnostics)
    {
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            if (fromTask(key) || key is AttemptNames.DagLabel or AttemptNames.TaskLabel or AttemptNames.RunLabel or AttemptNames.TryLabel)
            {
                continue;
            }

            if (!KubernetesRules.IsQualifiedName(key) || !AttemptNames.IsLabelValue(value))
            {
                diagnostics.Error($"{at}.{key}", $"'{key}: {value}' is not a label Kubernetes accepts: keys are {KubernetesRules.QualifiedNameExpected}; values are {KubernetesRules.LabelValueExpected}");
            }
        }
    }
}
