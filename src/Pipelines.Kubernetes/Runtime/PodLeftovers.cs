using k8s;
using Pipelines.Attempts;
using Pipelines.Execution.Runtimes;

namespace Pipelines.Kubernetes.Runtime;

/// <summary>
/// The pods a DAG's attempts left in the environment's namespace (kept by a cleanup policy, or left by a host that died),
/// found by the labels every attempt's pod carries, for <c>runs --orphans</c> and <c>clean</c>; removing one deletes it
/// with its own grace period.
/// </summary>
internal sealed class PodLeftovers(KubernetesApi api) : ILeftoverInventory
{
    public string Kind => "pod";

    public string Location => $"namespace '{api.Namespace}' at {api.Server} ({api.Cluster})";

    public async Task<IReadOnlyList<AttemptResource>> ListAsync(string dagId, CancellationToken cancellationToken)
    {
        var selector = $"{AttemptNames.DagLabel}={AttemptNames.LabelValue(dagId)},{AttemptNames.StoreLabel}";
        k8s.Models.V1PodList pods;
        try
        {
            pods = await api.CallAsync((c, t) => c.CoreV1.ListNamespacedPodAsync(api.Namespace, labelSelector: selector, cancellationToken: t), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is k8s.Autorest.HttpOperationException or HttpRequestException)
        {
            throw new RuntimeUnreachableException($"Kubernetes at {api.Cluster}: the API server at {api.Server} did not list pods in namespace '{api.Namespace}': {KubernetesApi.Describe(ex)}");
        }

        return [.. pods.Items
            .Select(p => new AttemptResource(
                p.Metadata.Name,
                p.Metadata.DeletionTimestamp is null ? p.Status?.Phase ?? "Pending" : "Terminating",
                p.Metadata.Labels[AttemptNames.StoreLabel],
                p.Metadata.Annotations?.TryGetValue(AttemptNames.AttemptAnnotation, out var attempt) == true ? attempt : "?",
                p.Metadata.Labels.TryGetValue(AttemptNames.RunLabel, out var run) ? run : "?",
                $"{api.Namespace}/{p.Metadata.Name}"))
            .OrderBy(r => r.Name, StringComparer.Ordinal)];
    }

    public async Task RemoveAsync(AttemptResource resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var (ns, name) = resource.Handle.Split('/') is [var n, var p] ? (n, p) : (api.Namespace, resource.Name);
        if (!await new PodStarter(api, new Secrets.SecretMasker(), TimeProvider.System).DeleteAsync(ns, name, grace: null).ConfigureAwait(false))
        {
            throw new RuntimeUnreachableException($"the API server refused to delete pod '{name}' in namespace '{ns}' — grant {PodStarter.NeededRole}");
        }
    }

    public void Dispose() => api.Dispose();
}
