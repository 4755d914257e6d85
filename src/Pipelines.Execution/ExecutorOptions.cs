using Pipelines.Secrets;

namespace Pipelines.Execution;

/// <summary>How the executor runs a DAG: slots, pools, where logs go, and what masks secrets.</summary>
public sealed record ExecutorOptions
{
    /// <summary>Overrides the DAG's max active tasks.</summary>
    public int? MaxActiveTasks { get; init; }

    /// <summary>Pool name → slots. A task in a pool not named here is a usage error before the run starts.</summary>
    public IReadOnlyDictionary<string, int> Pools { get; init; } = new Dictionary<string, int>();

    /// <summary>The folder attempt logs go to (see <see cref="State.RunPaths.LogFolder"/>). Null writes no log files.</summary>
    public string? LogFolder { get; init; }

    /// <summary>
    /// Holds the secret values of the run: every log line and reason is masked with it, and an output that
    /// holds a secret fails its task. Null knows no secret.
    /// </summary>
    public SecretMasker? Masker { get; init; }

    /// <summary>A number in [0, 1) for retry jitter; random by default, fixed in tests.</summary>
    public Func<double> Jitter { get; init; } = Random.Shared.NextDouble;

    /// <summary>Told of every callback event after the DAG's and tasks' own callbacks (the webhooks of the environment).</summary>
    public IReadOnlyList<Notifications.IRunNotifier> Notifiers { get; init; } = [];

    /// <summary>How long one callback or notifier may take before the run stops waiting for it (its token fires then). One minute by default.</summary>
    public TimeSpan CallbackTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Which tasks run and how: the whole DAG by its dependencies (the default), or a few alone (<see cref="RunScope.Alone"/>, the <c>test</c> verb).</summary>
    public RunScope Scope { get; init; } = RunScope.All;
}
