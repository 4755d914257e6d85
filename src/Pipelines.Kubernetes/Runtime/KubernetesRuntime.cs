using Pipelines.Execution.Runtimes;
using Pipelines.Secrets;

namespace Pipelines.Kubernetes.Runtime;

/// <summary>
/// Runs each attempt as the pod <see cref="Rendering.PodRenderer"/> renders — what <c>render --target kubernetes</c> shows,
/// plus the run store's id in its name and labels — on the cluster a kubeconfig or the in-cluster service account reaches
/// (<see cref="KubernetesCluster"/>), through the official client.
/// <list type="bullet">
/// <item><b>Watch, don't poll</b>: one watch per run and namespace, by label selector, drives every decision; a dropped
/// stream resumes from the last resourceVersion, a 410 Gone lists again.</item>
/// <item><b>Start</b>: create is retried on 429 and 5xx (<c>Retry-After</c> honoured); 401 and 403 fail with what was
/// denied. An unschedulable pod fails at the startup timeout with the scheduler's message; a pull error or a missing
/// Secret fails after a short grace. The pod's events go into the task log.</item>
/// <item><b>Logs</b>: the base container's log is followed; a broken stream resumes with <c>sinceTime</c> without a gap
/// or a repeated line (<see cref="PodLog"/>).</item>
/// <item><b>End</b>: the exit code and reason of the base container (<c>OOMKilled</c>, <c>Evicted</c>,
/// <c>DeadlineExceeded</c> as such; sidecars never decide), the output from its termination message.</item>
/// <item><b>Stop, adopt, clean up</b>: a stop deletes the pod with the task's grace period; a restarted host finds its pods
/// by label and follows them again, never making a second pod for a try; once recorded, pods go as the task's cleanup
/// policy says.</item>
/// </list>
/// </summary>
public sealed class KubernetesRuntime : IContainerRuntime
{
    private readonly KubernetesCluster _cluster;
    private readonly string _projectRoot;
    private readonly SecretMasker _masker;
    private readonly string _storeId;
    private readonly TimeProvider _time;

    /// <summary>Creates a Kubernetes runtime on <paramref name="cluster"/> for the run store <paramref name="storeId"/>.</summary>
    public KubernetesRuntime(KubernetesCluster cluster, string projectRoot, SecretMasker masker, string storeId, TimeProvider time)
    {
        _cluster = cluster ?? throw new ArgumentNullException(nameof(cluster));
        _projectRoot = projectRoot ?? throw new ArgumentNullException(nameof(projectRoot));
        _masker = masker ?? throw new ArgumentNullException(nameof(masker));
        _storeId = storeId ?? throw new ArgumentNullException(nameof(storeId));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <inheritdoc />
    public string Name => KubernetesRuntimeProvider.RuntimeName;

    /// <summary>The run store's id: part of every pod's name and labels.</summary>
    public string StoreId => _storeId;

    /// <inheritdoc />
    public ValueTask<IRuntimeSession> OpenAsync(RunContext run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var api = new KubernetesApi(_cluster);
        return ValueTask.FromResult<IRuntimeSession>(new KubernetesSession(api, run, _projectRoot, _masker, _storeId, _time));
    }
}
