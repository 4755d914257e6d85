using System.Net;
using k8s;
using Pipelines.Execution.Runtimes;
using Pipelines.Kubernetes.Rendering;
using Pipelines.Rendering;

namespace Pipelines.Kubernetes.Runtime;

/// <summary>
/// The Kubernetes runtime as a host knows it: <c>kubernetes</c>, whose specs are the pods of <see cref="PodRenderer"/>.
/// Never picked by <c>auto</c> (a cluster is chosen, not stumbled upon). Its probe signs in to the cluster the environment
/// names (<see cref="KubernetesCluster"/>) and lists pods in the run's namespace — the first thing a run does — so a
/// missing kubeconfig, a cluster that does not answer or a Role that is missing stops the run before anything starts.
/// </summary>
public sealed class KubernetesRuntimeProvider : IRuntimeProvider
{
    /// <summary>The runtime's name.</summary>
    public const string RuntimeName = "kubernetes";

    /// <summary>How long a probe waits for the API server.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public string Name => RuntimeName;

    /// <inheritdoc />
    public ISpecRenderer Renderer { get; } = new PodRenderer();

    /// <inheritdoc />
    public bool Automatic => false;

    /// <inheritdoc />
    public async ValueTask<RuntimeProbe> ProbeAsync(RunContext run, string projectRoot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var cluster = KubernetesCluster.For(run.Environment, projectRoot);
        KubernetesApi api;
        try
        {
            api = new KubernetesApi(cluster);
        }
        catch (KubernetesUnreachableException ex)
        {
            return RuntimeProbe.Unavailable(ex.Message);
        }

        using (api)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(ProbeTimeout);
            try
            {
                await api.CallAsync((c, t) => c.CoreV1.ListNamespacedPodAsync(api.Namespace, limit: 1, cancellationToken: t), limit.Token).ConfigureAwait(false);
                return RuntimeProbe.Ready($"the API server at {api.Server} ({cluster}) answered for namespace '{api.Namespace}'");
            }
            catch (Exception ex) when (KubernetesApi.StatusOf(ex) is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return RuntimeProbe.Unavailable($"the API server at {api.Server} ({cluster}) refused to list pods in namespace '{api.Namespace}': {KubernetesApi.Describe(ex)} — grant {PodStarter.NeededRole}");
            }
            catch (Exception ex) when (ex is k8s.Autorest.HttpOperationException or HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                var why = ex is OperationCanceledException ? $"no answer within {ProbeTimeout.TotalSeconds:0} s" : KubernetesApi.Describe(ex);
                return RuntimeProbe.Unavailable($"the API server at {api.Server} ({cluster}) did not answer for namespace '{api.Namespace}': {why}");
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<ILeftoverInventory?> OpenInventoryAsync(Environments.EnvironmentConfig environment, string projectRoot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        try
        {
            return ValueTask.FromResult<ILeftoverInventory?>(new PodLeftovers(new KubernetesApi(KubernetesCluster.For(environment, projectRoot))));
        }
        catch (KubernetesUnreachableException ex)
        {
            throw new RuntimeUnreachableException(ex.Message);
        }
    }

    /// <inheritdoc />
    public IContainerRuntime Create(RuntimeSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return new KubernetesRuntime(KubernetesCluster.For(setup.Run.Environment, setup.ProjectRoot), setup.ProjectRoot, setup.Masker, setup.StoreId, setup.Time);
    }
}
