using Pipelines.Docker.Rendering;
using Pipelines.Execution.Runtimes;
using Pipelines.Rendering;

namespace Pipelines.Docker.Runtime;

/// <summary>
/// The Docker runtime as a host knows it: <c>docker</c>, whose specs are the create requests of
/// <see cref="ContainerRenderer"/>, first in <c>auto</c>'s order. This version renders for Docker but has no Docker
/// runtime yet: its probe says so, and <c>auto</c> goes on to the next runtime.
/// </summary>
public sealed class DockerRuntimeProvider : IRuntimeProvider
{
    /// <summary>The runtime's name.</summary>
    public const string RuntimeName = "docker";

    /// <inheritdoc />
    public string Name => RuntimeName;

    /// <inheritdoc />
    public ISpecRenderer Renderer { get; } = new ContainerRenderer();

    /// <inheritdoc />
    public bool Automatic => true;

    /// <inheritdoc />
    public ValueTask<RuntimeProbe> ProbeAsync(RunContext run, string projectRoot, CancellationToken cancellationToken) =>
        ValueTask.FromResult(RuntimeProbe.Unavailable(
            "this version has no Docker runtime yet ('render --target docker' shows the containers it would create)"));

    /// <inheritdoc />
    public IContainerRuntime Create(RuntimeSetup setup) =>
        throw new NotSupportedException("This version has no Docker runtime yet; its probe says so, and a host never creates it.");
}
