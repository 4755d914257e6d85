using k8s.Models;
using Pipelines.Templating;

namespace Pipelines.Kubernetes;

/// <summary>
/// Kubernetes-only settings of a task, set with <c>task.OnKubernetes(k =&gt; …)</c>. Other runtimes
/// ignore them by design: they describe where and how a pod is scheduled, not what the task does.
/// KubernetesClient models held here are private copies.
/// </summary>
public sealed record KubernetesOptions : IRuntimeOptions
{
    /// <summary>The DNS policies Kubernetes accepts.</summary>
    public static readonly ImmutableArray<string> DnsPolicies = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"];

    /// <inheritdoc />
    public string Runtime => "kubernetes";

    /// <summary>The namespace; null for the environment's.</summary>
    public string? Namespace { get; init; }

    /// <summary>The service account the pod runs as.</summary>
    public string? ServiceAccount { get; init; }

    /// <summary>Mount the service account's token.</summary>
    public bool? AutomountServiceAccountToken { get; init; }

    /// <summary>Node labels the pod's node must have.</summary>
    public ImmutableSortedDictionary<string, string> NodeSelector { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Node and pod (anti-)affinity.</summary>
    public V1Affinity? Affinity { get; init; }

    /// <summary>Taints the pod tolerates.</summary>
    public ImmutableArray<V1Toleration> Tolerations { get; init; } = [];

    /// <summary>The pod's priority class.</summary>
    public string? PriorityClass { get; init; }

    /// <summary>Secrets used to pull images.</summary>
    public ImmutableArray<string> ImagePullSecrets { get; init; } = [];

    /// <summary>The pod-level security context (fsGroup, supplemental groups, seccomp, …).</summary>
    public V1PodSecurityContext? PodSecurityContext { get; init; }

    /// <summary>Use the node's network namespace.</summary>
    public bool? HostNetwork { get; init; }

    /// <summary>ClusterFirst, ClusterFirstWithHostNet, Default or None.</summary>
    public string? DnsPolicy { get; init; }

    /// <summary>Name servers, search domains and resolver options.</summary>
    public V1PodDNSConfig? DnsConfig { get; init; }

    /// <summary>Containers that run to completion before the task's container starts.</summary>
    public ImmutableArray<V1Container> InitContainers { get; init; } = [];

    /// <summary>Native sidecars: init containers with <c>restartPolicy: Always</c>; the task's container alone decides the outcome.</summary>
    public ImmutableArray<V1Container> Sidecars { get; init; } = [];

    /// <summary>A pod template (YAML) under the rendered pod; the task's settings win.</summary>
    public string? PodTemplateFile { get; init; }

    /// <summary>How long the pod may take to be scheduled and start its container.</summary>
    public TimeSpan? StartupTimeout { get; init; }

    /// <summary>How long the container may wait on a pull error or a missing Secret before the attempt fails; null for the runtime's 30 s.</summary>
    public TimeSpan? StartFailureGrace { get; init; }

    /// <summary>Other containers (init containers, sidecars) whose logs go into the task log too.</summary>
    public ImmutableArray<string> LogContainers { get; init; } = [];

    /// <summary>Changes applied last to the rendered pod — the escape hatch for anything else.</summary>
    public ImmutableArray<Action<V1Pod>> Patches { get; init; } = [];

    /// <inheritdoc />
    public IRuntimeOptions MapStrings(StringFieldMapper map)
    {
        string? One(string? value, string name) => value is null ? null : map(value, new FieldPath("kubernetes." + name));
        return this with
        {
            Namespace = One(Namespace, "namespace"),
            ServiceAccount = One(ServiceAccount, "serviceAccount"),
            NodeSelector = NodeSelector.IsEmpty ? NodeSelector : NodeSelector.ToImmutableSortedDictionary(
                kv => kv.Key, kv => map(kv.Value, new FieldPath("kubernetes.nodeSelector", kv.Key)), StringComparer.Ordinal),
            Affinity = Affinity is null ? null : KubernetesModelCopy.MapStrings(Affinity, "kubernetes.affinity", map),
            Tolerations = [.. Tolerations.Select((t, i) => KubernetesModelCopy.MapStrings(t, $"kubernetes.tolerations[{i}]", map))],
            PriorityClass = One(PriorityClass, "priorityClass"),
            ImagePullSecrets = [.. ImagePullSecrets.Select((s, i) => map(s, new FieldPath("kubernetes.imagePullSecrets", null, i)))],
            PodSecurityContext = PodSecurityContext is null ? null : KubernetesModelCopy.MapStrings(PodSecurityContext, "kubernetes.podSecurityContext", map),
            DnsPolicy = One(DnsPolicy, "dnsPolicy"),
            DnsConfig = DnsConfig is null ? null : KubernetesModelCopy.MapStrings(DnsConfig, "kubernetes.dnsConfig", map),
            InitContainers = [.. InitContainers.Select((c, i) => KubernetesModelCopy.MapStrings(c, $"kubernetes.initContainers[{i}]", map))],
            Sidecars = [.. Sidecars.Select((c, i) => KubernetesModelCopy.MapStrings(c, $"kubernetes.sidecars[{i}]", map))],
            PodTemplateFile = One(PodTemplateFile, "podTemplateFile"),
        };
    }

    /// <inheritdoc />
    public IEnumerable<(string Field, string Message)> Validate()
    {
        if (Namespace is not null && !TemplateText.MayContainTemplate(Namespace) && !KubernetesNames.IsDnsLabel(Namespace))
        {
            yield return ("kubernetes.namespace", $"'{Namespace}' is not a namespace name; use lowercase letters, digits and '-' (at most 63)");
        }

        if (ServiceAccount is not null && !TemplateText.MayContainTemplate(ServiceAccount) && !KubernetesNames.IsDnsSubdomain(ServiceAccount))
        {
            yield return ("kubernetes.serviceAccount", $"'{ServiceAccount}' is not a service account name; use lowercase letters, digits, '-' and '.'");
        }

        if (DnsPolicy is not null && !TemplateText.MayContainTemplate(DnsPolicy) && !DnsPolicies.Contains(DnsPolicy))
        {
            yield return ("kubernetes.dnsPolicy", $"'{DnsPolicy}' is not a DNS policy; use one of: {string.Join(", ", DnsPolicies)}");
        }

        if (DnsPolicy == "None" && DnsConfig?.Nameservers is not { Count: > 0 })
        {
            yield return ("kubernetes.dnsConfig", "dnsPolicy None needs a dnsConfig with at least one nameserver");
        }

        if (StartupTimeout is { } startup && startup <= TimeSpan.Zero)
        {
            yield return ("kubernetes.startupTimeout", "the startup timeout must be longer than zero");
        }

        if (StartFailureGrace is { } grace && grace <= TimeSpan.Zero)
        {
            yield return ("kubernetes.startFailureGrace", "the start failure grace must be longer than zero");
        }

        var declared = InitContainers.Concat(Sidecars).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < LogContainers.Length; i++)
        {
            if (!declared.Contains(LogContainers[i]) && PodTemplateFile is null)
            {
                yield return ($"kubernetes.followLogs[{i}]", $"no init container or sidecar is named '{LogContainers[i]}'; name one of: {(declared.Count == 0 ? "(none declared)" : string.Join(", ", declared.Order(StringComparer.Ordinal)))} (the task's own log, 'base', is always followed)");
            }
        }

        for (var i = 0; i < Tolerations.Length; i++)
        {
            var t = Tolerations[i];
            if (t.OperatorProperty is not (null or "Equal" or "Exists"))
            {
                yield return ($"kubernetes.tolerations[{i}].operator", $"'{t.OperatorProperty}' is not a toleration operator; use Equal or Exists");
            }

            if (t.OperatorProperty == "Exists" && !string.IsNullOrEmpty(t.Value))
            {
                yield return ($"kubernetes.tolerations[{i}].value", "a toleration with operator Exists has no value");
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (container, i, kind) in InitContainers.Select((c, i) => (c, i, "initContainers")).Concat(Sidecars.Select((c, i) => (c, i, "sidecars"))))
        {
            if (string.IsNullOrEmpty(container.Name) || !KubernetesNames.IsDnsLabel(container.Name))
            {
                yield return ($"kubernetes.{kind}[{i}].name", $"'{container.Name}' is not a container name; use lowercase letters, digits and '-' (at most 63)");
            }
            else if (!names.Add(container.Name) || container.Name == KubernetesNames.BaseContainer)
            {
                yield return ($"kubernetes.{kind}[{i}].name", $"container name '{container.Name}' is used twice in the pod ('{KubernetesNames.BaseContainer}' is the task's own)");
            }

            if (string.IsNullOrEmpty(container.Image))
            {
                yield return ($"kubernetes.{kind}[{i}].image", "the container has no image");
            }
        }

        foreach (var key in NodeSelector.Keys)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                yield return ("kubernetes.nodeSelector", "a node selector key is empty");
            }
        }

        if (PodTemplateFile is not null && PodTemplateFile.Length == 0)
        {
            yield return ("kubernetes.podTemplateFile", "the pod template path is empty");
        }
    }
}
