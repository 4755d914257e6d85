using k8s.Models;
using Pipelines.Attempts;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Kubernetes.Rendering;

/// <summary>
/// Builds the pod of one attempt from the task's common settings and its Kubernetes options,
/// before any template is merged under it and before patches run.
/// </summary>
internal static class PodFactory
{
    public static V1Pod Create(ResolvedTask attempt, KubernetesOptions options, PodVolumePlan volumes, DiagnosticCollector diagnostics)
    {
        var task = attempt.Task;
        var run = attempt.Run;
        var labels = new Dictionary<string, string>(task.Labels, StringComparer.Ordinal);
        foreach (var (key, value) in AttemptNames.Labels(run.Dag.Id, run.RunId, task.Id, attempt.TryNumber))
        {
            labels[key] = value; // identity labels win: a restarted host finds its pods by them
        }

        var annotations = new Dictionary<string, string>(task.Annotations, StringComparer.Ordinal)
        {
            [AttemptNames.AttemptAnnotation] = AttemptNames.AttemptId(run.Dag.Id, run.RunId, task.Id, attempt.TryNumber),
        };

        var ns = options.Namespace ?? attempt.Environment.Kubernetes.Namespace;
        if (ns is not null && options.Namespace is null && !KubernetesNames.IsDnsLabel(ns))
        {
            diagnostics.Error("kubernetes.namespace", $"'{ns}' (environment '{attempt.Environment.Name}') is not a namespace name; use lowercase letters, digits and '-' (at most 63)");
        }

        foreach (var (key, value) in options.NodeSelector)
        {
            if (!KubernetesRules.IsQualifiedName(key) || !AttemptNames.IsLabelValue(value))
            {
                diagnostics.Error(new FieldPath("kubernetes.nodeSelector", key).ToString(),
                    $"'{key}: {value}' is not a node label Kubernetes accepts: keys are {KubernetesRules.QualifiedNameExpected}; values are {KubernetesRules.LabelValueExpected}");
            }
        }

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = AttemptNames.ResourceName(run.Dag.Id, run.RunId, task.Id, attempt.TryNumber),
                NamespaceProperty = ns,
                Labels = labels,
                Annotations = annotations,
            },
            Spec = new V1PodSpec
            {
                // Pipelines retries with a new pod per attempt; the kubelet must not restart the task.
                RestartPolicy = "Never",
                Containers = [BaseContainerFactory.Create(task, volumes)],
                InitContainers = InitContainers(options),
                Volumes = [OutputVolume(), .. volumes.Volumes],
                HostAliases = HostAliases(task),
                ActiveDeadlineSeconds = Seconds(task.ExecutionTimeout),
                TerminationGracePeriodSeconds = Seconds(task.StopGracePeriod),
                ServiceAccountName = options.ServiceAccount,
                AutomountServiceAccountToken = options.AutomountServiceAccountToken,
                NodeSelector = options.NodeSelector.IsEmpty ? null : new Dictionary<string, string>(options.NodeSelector, StringComparer.Ordinal),
                Affinity = Copy(options.Affinity),
                Tolerations = options.Tolerations.IsDefaultOrEmpty ? null : [.. options.Tolerations.Select(KubernetesModelCopy.Clone)],
                PriorityClassName = options.PriorityClass,
                ImagePullSecrets = options.ImagePullSecrets.IsDefaultOrEmpty ? null : [.. options.ImagePullSecrets.Select(n => new V1LocalObjectReference { Name = n })],
                SecurityContext = Copy(options.PodSecurityContext),
                HostNetwork = options.HostNetwork,
                DnsPolicy = options.DnsPolicy,
                DnsConfig = Copy(options.DnsConfig),
            },
        };
    }

    // A small scratch directory for the output file, writable even under a read-only root filesystem.
    private static V1Volume OutputVolume() => new()
    {
        Name = PodRenderer.OutputVolumeName,
        EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("1Mi") },
    };

    // Plain init containers first, then native sidecars (init containers that keep running).
    private static List<V1Container>? InitContainers(KubernetesOptions options)
    {
        var containers = options.InitContainers.Select(KubernetesModelCopy.Clone).ToList();
        foreach (var sidecar in options.Sidecars)
        {
            var copy = KubernetesModelCopy.Clone(sidecar);
            copy.RestartPolicy = "Always";
            containers.Add(copy);
        }

        return containers.Count == 0 ? null : containers;
    }

    private static List<V1HostAlias>? HostAliases(ContainerTask task)
    {
        var aliases = task.ExtraHosts
            .Where(h => h.Ip != "host-gateway") // Docker-only; reported by TaskChecks
            .GroupBy(h => h.Ip, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new V1HostAlias { Ip = g.Key, Hostnames = [.. g.Select(h => h.Host).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] })
            .ToList();
        return aliases.Count == 0 ? null : aliases;
    }

    // Whole seconds, rounded up, so a pod never gets less time than the task asked for.
    private static long? Seconds(TimeSpan? time) =>
        time is { } t ? (long)Math.Ceiling(t.TotalSeconds) : null;

    private static T? Copy<T>(T? value)
        where T : class => value is null ? null : KubernetesModelCopy.Clone(value);
}
