using Pipelines.Execution.Runtimes;
using Pipelines.Rendering;

namespace Pipelines.Processes;

/// <summary>
/// The process runtime as a host knows it: <c>process</c>, no spec to render (its images are not used), picked by
/// <c>auto</c> when no container runtime before it can run the DAG; it runs wherever Linux does.
/// </summary>
public sealed class ProcessRuntimeProvider : IRuntimeProvider
{
    /// <summary>The runtime's name.</summary>
    public const string RuntimeName = "process";

    /// <inheritdoc />
    public string Name => RuntimeName;

    /// <inheritdoc />
    public ISpecRenderer? Renderer => null;

    /// <inheritdoc />
    public bool Automatic => true;

    /// <inheritdoc />
    public ValueTask<RuntimeProbe> ProbeAsync(RunContext run, string projectRoot, CancellationToken cancellationToken) =>
        ValueTask.FromResult(OperatingSystem.IsLinux()
            ? RuntimeProbe.Ready("tasks run as local processes; their images are not used")
            : RuntimeProbe.Unavailable("the process runtime needs Linux (process groups, signals and /proc)"));

    /// <inheritdoc />
    public IContainerRuntime Create(RuntimeSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return new ProcessRuntime(setup.ProjectRoot, setup.Secrets, setup.Time, setup.Masker, setup.StoreId);
    }
}
