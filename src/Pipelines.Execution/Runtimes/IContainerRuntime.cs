namespace Pipelines.Execution.Runtimes;

/// <summary>
/// Runs task attempts somewhere: local processes, a Docker engine, Kubernetes, or a simulation. The executor
/// decides what runs when; a runtime runs attempts through a <see cref="IRuntimeSession"/> that the executor
/// opens once per run and disposes at its end — where a runtime keeps what a run shares (a client, one watch
/// of the run's pods by label).
/// </summary>
public interface IContainerRuntime
{
    /// <summary>The runtime's name: <c>process</c>, <c>docker</c>, <c>kubernetes</c> or <c>simulated</c>. It is recorded with each attempt.</summary>
    string Name { get; }

    /// <summary>Opens the session of one run; the executor calls it before the run's first attempt and disposes the session after its last.</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Stops opening (the run was cancelled first).</param>
    ValueTask<IRuntimeSession> OpenAsync(RunContext run, CancellationToken cancellationToken);
}
