using k8s.Models;

namespace Pipelines.Kubernetes;

/// <summary>Sets a task's Kubernetes-only options; see <see cref="KubernetesOptions"/>.</summary>
public sealed class KubernetesOptionsBuilder : RuntimeOptionsBuilder
{
    private KubernetesOptions _options = new();

    /// <summary>The namespace the pod runs in (default: the environment's).</summary>
    public KubernetesOptionsBuilder Namespace(string name) => Set(o => o with { Namespace = name });

    /// <summary>The service account the pod runs as, and whether its token is mounted.</summary>
    public KubernetesOptionsBuilder ServiceAccount(string name, bool? automountToken = null) =>
        Set(o => o with { ServiceAccount = name, AutomountServiceAccountToken = automountToken ?? o.AutomountServiceAccountToken });

    /// <summary>Whether the service account token is mounted into the pod.</summary>
    public KubernetesOptionsBuilder AutomountServiceAccountToken(bool value = true) => Set(o => o with { AutomountServiceAccountToken = value });

    /// <summary>Runs the pod only on nodes with this label.</summary>
    public KubernetesOptionsBuilder NodeSelector(string key, string value) => Set(o => o with { NodeSelector = o.NodeSelector.SetItem(key, value) });

    /// <summary>Node and pod (anti-)affinity (a copy is kept).</summary>
    public KubernetesOptionsBuilder Affinity(V1Affinity affinity) => Set(o => o with { Affinity = KubernetesModelCopy.Clone(affinity) });

    /// <summary>Tolerates a taint: <c>key=value:effect</c> (operator Equal), or any value of <paramref name="key"/> when <paramref name="value"/> is null (operator Exists).</summary>
    public KubernetesOptionsBuilder Toleration(string key, string? value, TaintEffect effect, long? tolerationSeconds = null) =>
        Toleration(new V1Toleration
        {
            Key = key,
            OperatorProperty = value is null ? "Exists" : "Equal",
            Value = value,
            Effect = effect.ToString(),
            TolerationSeconds = tolerationSeconds,
        });

    /// <summary>Tolerates a taint, written as a KubernetesClient model (a copy is kept).</summary>
    public KubernetesOptionsBuilder Toleration(V1Toleration toleration) => Set(o => o with { Tolerations = o.Tolerations.Add(KubernetesModelCopy.Clone(toleration)) });

    /// <summary>The pod's priority class.</summary>
    public KubernetesOptionsBuilder PriorityClass(string name) => Set(o => o with { PriorityClass = name });

    /// <summary>Secrets that hold registry credentials.</summary>
    public KubernetesOptionsBuilder ImagePullSecrets(params string[] names) => Set(o => o with { ImagePullSecrets = o.ImagePullSecrets.AddRange(names.Where(n => !o.ImagePullSecrets.Contains(n))) });

    /// <summary>The pod-level security context, such as <c>new() { FsGroup = 1000 }</c> (a copy is kept).</summary>
    public KubernetesOptionsBuilder PodSecurityContext(V1PodSecurityContext context) => Set(o => o with { PodSecurityContext = KubernetesModelCopy.Clone(context) });

    /// <summary>The group that owns mounted volumes (pod security context <c>fsGroup</c>).</summary>
    public KubernetesOptionsBuilder FsGroup(long group) => Set(o =>
    {
        var context = o.PodSecurityContext is null ? new V1PodSecurityContext() : KubernetesModelCopy.Clone(o.PodSecurityContext);
        context.FsGroup = group;
        return o with { PodSecurityContext = context };
    });

    /// <summary>Uses the node's network namespace.</summary>
    public KubernetesOptionsBuilder HostNetwork(bool value = true) => Set(o => o with { HostNetwork = value });

    /// <summary>ClusterFirst, ClusterFirstWithHostNet, Default or None.</summary>
    public KubernetesOptionsBuilder DnsPolicy(string policy) => Set(o => o with { DnsPolicy = policy });

    /// <summary>Name servers, search domains and resolver options (a copy is kept).</summary>
    public KubernetesOptionsBuilder DnsConfig(V1PodDNSConfig config) => Set(o => o with { DnsConfig = KubernetesModelCopy.Clone(config) });

    /// <summary>Name servers and search domains.</summary>
    public KubernetesOptionsBuilder DnsConfig(IEnumerable<string> nameservers, IEnumerable<string>? searches = null) =>
        DnsConfig(new V1PodDNSConfig { Nameservers = [.. nameservers], Searches = searches is null ? null : [.. searches] });

    /// <summary>A container that runs to completion before the task's container (a copy is kept).</summary>
    public KubernetesOptionsBuilder InitContainer(V1Container container) => Set(o => o with { InitContainers = o.InitContainers.Add(KubernetesModelCopy.Clone(container)) });

    /// <summary>A native sidecar: it runs beside the task's container and never decides the outcome (a copy is kept).</summary>
    public KubernetesOptionsBuilder Sidecar(V1Container container) => Set(o => o with { Sidecars = o.Sidecars.Add(KubernetesModelCopy.Clone(container)) });

    /// <summary>A pod template (YAML, relative to the project root) under the rendered pod.</summary>
    public KubernetesOptionsBuilder PodTemplateFile(string path) => Set(o => o with { PodTemplateFile = path });

    /// <summary>How long the pod may take to be scheduled and start.</summary>
    public KubernetesOptionsBuilder StartupTimeout(TimeSpan timeout) => Set(o => o with { StartupTimeout = timeout });

    /// <summary>
    /// How long the container may wait on a pull error (<c>ErrImagePull</c>, <c>ImagePullBackOff</c>, <c>InvalidImageName</c>)
    /// or a missing Secret or key (<c>CreateContainerConfigError</c>) before the attempt fails (30 s when not set).
    /// </summary>
    public KubernetesOptionsBuilder StartFailureGrace(TimeSpan grace) => Set(o => o with { StartFailureGrace = grace });

    /// <summary>Also follow these containers' logs (init containers, sidecars) into the task log, each line marked with its container's name.</summary>
    public KubernetesOptionsBuilder FollowLogs(params string[] containers) =>
        Set(o => o with { LogContainers = o.LogContainers.AddRange(containers.Where(c => !o.LogContainers.Contains(c))) });

    /// <summary>Changes the rendered pod last: the escape hatch for any field Pipelines does not model.</summary>
    public KubernetesOptionsBuilder Patch(Action<V1Pod> patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        return Set(o => o with { Patches = o.Patches.Add(patch) });
    }

    /// <inheritdoc />
    protected override IRuntimeOptions Build() => _options;

    private KubernetesOptionsBuilder Set(Func<KubernetesOptions, KubernetesOptions> change)
    {
        _options = change(_options);
        return this;
    }
}
