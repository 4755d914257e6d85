using k8s.Models;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>What the API server sets on a pod it stores: identity, defaults of the spec, the initial status.</summary>
internal static class PodDefaults
{
    /// <summary>Sets uid, creation time and generation, the spec's defaults, and a Pending status (the client's status is dropped).</summary>
    public static void Apply(V1Pod pod, DateTimeOffset now)
    {
        var meta = pod.Metadata;
        meta.Uid = Guid.NewGuid().ToString();
        meta.CreationTimestamp = KubeTime.Seconds(now);
        meta.Generation = 1;
        meta.DeletionTimestamp = null;
        meta.DeletionGracePeriodSeconds = null;

        var spec = pod.Spec;
        spec.RestartPolicy ??= "Always";
        spec.TerminationGracePeriodSeconds ??= 30;
        spec.DnsPolicy ??= "ClusterFirst";
        spec.SchedulerName ??= "default-scheduler";
        spec.ServiceAccountName ??= spec.ServiceAccount ?? "default";
        spec.ServiceAccount ??= spec.ServiceAccountName;
        spec.SecurityContext ??= new V1PodSecurityContext();
        spec.EnableServiceLinks ??= true;
        spec.Priority ??= 0;
        spec.PreemptionPolicy ??= "PreemptLowerPriority";
        spec.Tolerations ??= [];
        foreach (var taint in new[] { "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable" })
        {
            if (!spec.Tolerations.Any(t => t.Key == taint))
            {
                spec.Tolerations.Add(new V1Toleration { Key = taint, OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 });
            }
        }

        foreach (var container in (spec.InitContainers ?? []).Concat(spec.Containers))
        {
            container.TerminationMessagePath ??= "/dev/termination-log";
            container.TerminationMessagePolicy ??= "File";
            container.ImagePullPolicy ??= IsLatest(container.Image) ? "Always" : "IfNotPresent";
            container.Resources ??= new V1ResourceRequirements();
            if (container.Resources.Limits is { Count: > 0 } limits)
            {
                // A limit without a request requests the limit.
                container.Resources.Requests ??= new Dictionary<string, ResourceQuantity>();
                foreach (var (resource, quantity) in limits)
                {
                    container.Resources.Requests.TryAdd(resource, quantity);
                }
            }
        }

        pod.Status = new V1PodStatus { Phase = "Pending", QosClass = QosClass(spec) };
    }

    /// <summary>The pod's quality-of-service class: Guaranteed, Burstable or BestEffort.</summary>
    public static string QosClass(V1PodSpec spec)
    {
        var containers = (spec.InitContainers ?? []).Concat(spec.Containers).ToList();
        if (containers.All(c => c.Resources?.Requests is not { Count: > 0 } && c.Resources?.Limits is not { Count: > 0 }))
        {
            return "BestEffort";
        }

        var guaranteed = containers.All(c =>
            c.Resources?.Limits is { } limits && c.Resources.Requests is { } requests
            && new[] { "cpu", "memory" }.All(r => limits.TryGetValue(r, out var limit) && requests.TryGetValue(r, out var request)
                && limit.ToDecimal() == request.ToDecimal())
            && requests.All(r => limits.TryGetValue(r.Key, out var limit) && limit.ToDecimal() == r.Value.ToDecimal()));
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    private static bool IsLatest(string? image)
    {
        if (string.IsNullOrEmpty(image) || image.Contains('@', StringComparison.Ordinal))
        {
            return false;
        }

        var name = image[(image.LastIndexOf('/') + 1)..];
        return !name.Contains(':', StringComparison.Ordinal) || name.EndsWith(":latest", StringComparison.Ordinal);
    }
}
