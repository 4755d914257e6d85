using Pipelines.Execution.Runtimes;
using Pipelines.Kubernetes.Rendering;
using Pipelines.Rendering;

namespace Pipelines.Kubernetes.Runtime;

/// <summary>
/// The Kubernetes runtime as a host knows it: <c>kubernetes</c>, whose specs are the pods of <see cref="PodRenderer"/>.
/// Never picked by <c>auto</c> (a cluster is chosen, not stumbled upon). This version renders pods but has no
/// Kubernetes runtime yet: its probe says so, and a run on it stops before anything starts.
/// </summary>
public sealed class KubernetesRuntimeProvider : IRuntimeProvider
{
    /// <summary>The runtime's name.</summary>
    public const string RuntimeName = "kubernetes";

    /// <inheritdoc />
    public string Name => RuntimeName;

    /// <inheritdoc />
    public ISpecRenderer Renderer { get; } = new PodRenderer();

    /// <inheritdoc />
    public bool Automatic => false;

    /// <inheritdoc />
    public ValueTask<RuntimeProbe> ProbeAsync(RunContext run, string projectRoot, CancellationToken cancellationToken) =>
        ValueTask.FromResult(RuntimeProbe.Unavailable(
            "this version has no Kubernetes runtime yet ('render --target kubernetes' shows the pods it would submit)"));

    /// <inheritdoc />
    public IContainerRuntime Create(RuntimeSetup setup) =>
        throw new NotSupportedException("This version has no Kubernetes runtime yet; its probe says so, and a host never creates it.");
}
