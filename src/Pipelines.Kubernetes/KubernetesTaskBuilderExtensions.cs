using Pipelines.Kubernetes;

namespace Pipelines;

/// <summary>The <c>OnKubernetes</c> verb of the task DSL.</summary>
public static class KubernetesTaskBuilderExtensions
{
    /// <summary>
    /// Sets options only Kubernetes understands: namespace, service account, scheduling, DNS,
    /// init containers, sidecars, a pod template, a patch. Calls add up, also across task defaults.
    /// </summary>
    public static TaskBuilder OnKubernetes(this TaskBuilder task, Action<KubernetesOptionsBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.Configure(configure);
    }
}
