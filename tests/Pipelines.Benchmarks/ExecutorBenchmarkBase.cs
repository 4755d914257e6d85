using Pipelines.Docker.Runtime;
using Pipelines.Environments;
using Pipelines.Execution;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Processes;
using Pipelines.Secrets;
using Pipelines.Testing;

namespace Pipelines.Benchmarks;

/// <summary>
/// What every executor benchmark shares: the run it plans (one logical date, the embedded environment),
/// the executor it builds on the simulated, the process or the Docker runtime, and a run that must end in success
/// (a benchmark of a failed run measures nothing).
/// </summary>
public abstract class ExecutorBenchmarkBase
{
    /// <summary>The run of a DAG on the benchmarks' one logical date, in the embedded environment.</summary>
    protected static RunContext Plan(DagBuilder dag) =>
        RunContext.Create(dag.Build(), new DateOnly(2026, 11, 25), EnvironmentConfig.DefaultLocal);

    /// <summary>An executor on the simulated runtime (zero-length attempts on the real clock).</summary>
    protected static Executor Simulated(IRunStore store, ExecutorOptions? options = null, Func<IContainerRuntime, IContainerRuntime>? wrap = null)
    {
        IContainerRuntime runtime = new SimulatedRuntime(TimeProvider.System);
        return new Executor(wrap is null ? runtime : wrap(runtime), store, TimeProvider.System, options);
    }

    /// <summary>An executor on the process runtime under <paramref name="root"/>, as <c>run</c> builds it.</summary>
    protected static Executor OnProcesses(string root, SqliteRunStore store) => new(
        new ProcessRuntime(root, new EnvironmentSecretResolver(null, new Dictionary<string, string>()), TimeProvider.System, new SecretMasker(), store.StoreId),
        store,
        TimeProvider.System,
        new ExecutorOptions { LogFolder = RunPaths.LogFolder(store.Location) });

    /// <summary>
    /// An executor on the Docker runtime of <paramref name="engine"/>, as <c>run --runtime docker</c> builds it: the store's
    /// id in every container's name and labels, no secrets, logs beside the store.
    /// </summary>
    protected static Executor OnDocker(DockerEngine engine, SqliteRunStore store)
    {
        var masker = new SecretMasker();
        return new Executor(
            new DockerRuntime(engine, new EnvironmentSecretResolver(null, new Dictionary<string, string>()), masker, store.StoreId, TimeProvider.System),
            store,
            TimeProvider.System,
            new ExecutorOptions { LogFolder = RunPaths.LogFolder(store.Location), Masker = masker });
    }

    /// <summary>Awaits a run and throws unless it ended in success.</summary>
    protected static async Task<RunOutcome> Succeeded(Task<RunOutcome> running)
    {
        var outcome = await running.ConfigureAwait(false);
        return outcome.State == RunState.Success
            ? outcome
            : throw new InvalidOperationException($"The benchmark run of '{outcome.Run.DagId}' ended {outcome.State}.");
    }

    /// <summary>Awaits a run and throws unless it ended in success, naming the tasks that did not and why (from <paramref name="store"/>).</summary>
    protected static async Task<RunOutcome> Succeeded(Task<RunOutcome> running, IRunStore store)
    {
        var outcome = await running.ConfigureAwait(false);
        if (outcome.State == RunState.Success)
        {
            return outcome;
        }

        var failed = store.LoadTasks(outcome.Run.DagId, outcome.Run.RunId)
            .Where(t => t.State != TaskState.Success)
            .Take(3)
            .Select(t => $"{t.TaskId} {t.State}{(t.Reason is null ? string.Empty : $": {t.Reason}")}");
        throw new InvalidOperationException($"The benchmark run of '{outcome.Run.DagId}' ended {outcome.State} ({string.Join("; ", failed)}).");
    }
}
