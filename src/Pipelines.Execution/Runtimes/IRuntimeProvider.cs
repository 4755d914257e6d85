using Pipelines.Rendering;
using Pipelines.Secrets;

namespace Pipelines.Execution.Runtimes;

/// <summary>
/// A runtime as a host knows it: its name, the target its specs render for, whether <c>auto</c> may pick it, a probe
/// that says whether it can run a DAG here, and how to create it. Each runtime's project has one; the host lists them
/// in its options (<c>PipelineHostOptions.Runtimes</c>) and knows none by name.
/// </summary>
public interface IRuntimeProvider
{
    /// <summary>The name of <c>--runtime</c> and of an environment's <c>runtime</c>: <c>process</c>, <c>docker</c>, <c>kubernetes</c>.</summary>
    string Name { get; }

    /// <summary>
    /// The renderer of the specs this runtime runs (pods, Docker create requests), used by <c>render --target</c>,
    /// <c>validate</c> and the preflight of a run; null for a runtime that renders no spec (the process runtime).
    /// </summary>
    ISpecRenderer? Renderer { get; }

    /// <summary>True when <c>auto</c> may pick this runtime, trying providers in the order the host lists them.</summary>
    bool Automatic { get; }

    /// <summary>
    /// Whether this runtime can run the run here, and why: for Docker, does an engine answer, is every image there. Called
    /// for <c>auto</c> (in order, the first that can is used) and before a run on a runtime named explicitly (one that
    /// cannot stops the run before anything starts). Never throws for an unreachable runtime: that is a no with its reason.
    /// </summary>
    /// <param name="run">The run, its DAG and environment (Docker's endpoint, Kubernetes' context).</param>
    /// <param name="projectRoot">The folder of <c>pipelines.json</c>.</param>
    /// <param name="cancellationToken">Stops the probe.</param>
    ValueTask<RuntimeProbe> ProbeAsync(RunContext run, string projectRoot, CancellationToken cancellationToken);

    /// <summary>Creates the runtime for a run that its probe accepted.</summary>
    IContainerRuntime Create(RuntimeSetup setup);

    /// <summary>
    /// What the DAGs' attempts left on this runtime in <paramref name="environment"/> (<c>runs --orphans</c>, <c>clean</c>);
    /// null for a runtime that keeps nothing outside the project (local processes).
    /// </summary>
    /// <exception cref="RuntimeUnreachableException">The runtime cannot be reached; the message says where and what to do.</exception>
    ValueTask<ILeftoverInventory?> OpenInventoryAsync(Environments.EnvironmentConfig environment, string projectRoot, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ILeftoverInventory?>(null);
}

/// <summary>What a runtime is created with.</summary>
/// <param name="Run">The run: its DAG, environment and parameters.</param>
/// <param name="ProjectRoot">The folder of <c>pipelines.json</c>; relative paths start there.</param>
/// <param name="Secrets">Resolves secret references for a runtime that passes their values (process, Docker).</param>
/// <param name="Masker">Receives every secret value the runtime resolves.</param>
/// <param name="StoreId">The run store's id: what a runtime names after a run's attempts is unique per store.</param>
/// <param name="Time">The clock for grace periods and timeouts.</param>
public sealed record RuntimeSetup(
    RunContext Run,
    string ProjectRoot,
    ISecretResolver Secrets,
    SecretMasker Masker,
    string StoreId,
    TimeProvider Time);

/// <summary>A runtime's answer to whether it can run a run here.</summary>
/// <param name="Usable">True when it can.</param>
/// <param name="Reason">Why, for the first line of <c>run</c>: <c>an engine answered at unix:///var/run/docker.sock and every image is present</c>, or what is missing.</param>
public sealed record RuntimeProbe(bool Usable, string Reason)
{
    /// <summary>
    /// False when the runtime can run the run if it is named, but <c>auto</c> should not pick it: Docker when an image is
    /// missing that a pull may bring (<c>auto</c> wants every image present, and goes on to local processes).
    /// </summary>
    public bool Automatic { get; init; } = true;

    /// <summary>It can run the run.</summary>
    public static RuntimeProbe Ready(string reason) => new(true, reason);

    /// <summary>It can run the run when named (<c>--runtime</c>, an environment's <c>runtime</c>), but <c>auto</c> passes it by.</summary>
    public static RuntimeProbe WhenNamed(string reason) => new(true, reason) { Automatic = false };

    /// <summary>It cannot, for <paramref name="reason"/>.</summary>
    public static RuntimeProbe Unavailable(string reason) => new(false, reason);
}
