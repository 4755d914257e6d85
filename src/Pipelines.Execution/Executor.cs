using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Templating;
using Pipelines.Templating.Evaluation;
using Pipelines.Text;

namespace Pipelines.Execution;

/// <summary>
/// Runs a DAG on a runtime: event-driven (a task starts the moment its last upstream settles),
/// bounded by the DAG's max active tasks and by pools, longest remaining path first, with Airflow's
/// trigger rules, retries with backoff, per-attempt timeouts, skip exit codes and outputs. Every
/// transition is committed to the run store before it is acted on, so a re-run of the same DAG and
/// logical date resumes: succeeded tasks are kept, live attempts adopted, the rest run.
/// All waiting uses the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class Executor
{
    private readonly object _idleGate = new();
    private TaskCompletionSource _idle = NewIdle();
    private int _pendingEvents;
    private bool _finished;

    /// <summary>Creates an executor.</summary>
    public Executor(IContainerRuntime runtime, IRunStore store, TimeProvider time, ExecutorOptions? options = null)
    {
        Runtime = runtime ?? throw new ArgumentNullException(nameof(runtime));
        Store = store ?? throw new ArgumentNullException(nameof(store));
        Time = time ?? throw new ArgumentNullException(nameof(time));
        Options = options ?? new ExecutorOptions();
    }

    internal IContainerRuntime Runtime { get; }

    internal IRunStore Store { get; }

    internal TimeProvider Time { get; }

    internal ExecutorOptions Options { get; }

    internal object StoreGate { get; } = new();

    /// <summary>
    /// Runs (or resumes) <paramref name="run"/> to its end, in one session of the runtime (opened here, disposed at the end).
    /// Cancelling <paramref name="cancellationToken"/> stops running attempts (grace period, then kill), records them
    /// cancelled and returns.
    /// </summary>
    /// <exception cref="PipelineDefinitionException">A task names a pool that does not exist, or needs more slots than it has; nothing was started.</exception>
    /// <exception cref="RuntimeMismatchException">Attempts another runtime started are recorded as running; nothing was started.</exception>
    /// <exception cref="RunStoreException">The run store could not be read, or could not take the run's first batch; nothing was started.</exception>
    /// <exception cref="RunStateWriteException">Once the run had started, a commit to the store or a write of a log file failed: running
    /// attempts were stopped as on cancellation, nothing else was started, and the store can be resumed from.</exception>
    public async Task<RunOutcome> RunAsync(RunContext run, IRunObserver? observer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        CheckPools(run);
        if (ReadsHistory(run.Dag))
        {
            run = run with { History = Store.History(run.Dag.Id) };
        }

        var session = await Runtime.OpenAsync(run, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await new RunLoop(this, run, observer ?? NullRunObserver.Instance, session, cancellationToken).RunAsync().ConfigureAwait(false);
        }
    }

    // Only a DAG whose templates read history.* pays for reading it from the store.
    private static bool ReadsHistory(Dag dag)
    {
        var reads = false;
        foreach (var task in dag.Tasks)
        {
            task.MapStrings((value, _) =>
            {
                reads |= TemplateText.MayContainTemplate(value) && value.Contains(TemplateNames.History, StringComparison.Ordinal);
                return value;
            });
        }

        return reads;
    }

    /// <summary>
    /// Completes when the scheduling loop waits with no event left to handle — for tests that drive
    /// a fake clock: advance time, then await this before looking.
    /// </summary>
    public Task WhenIdleAsync()
    {
        lock (_idleGate)
        {
            return _idle.Task;
        }
    }

    internal void RunStarting()
    {
        lock (_idleGate)
        {
            _finished = false;
            _pendingEvents = 0;
            if (_idle.Task.IsCompleted)
            {
                _idle = NewIdle();
            }
        }
    }

    internal void EventPosted()
    {
        lock (_idleGate)
        {
            if (_finished)
            {
                return; // a late event (a cancellation racing the end) must not un-idle a finished run
            }

            _pendingEvents++;
            if (_idle.Task.IsCompleted)
            {
                _idle = NewIdle();
            }
        }
    }

    internal void EventsHandled(int count, bool finished)
    {
        lock (_idleGate)
        {
            _pendingEvents -= count;
            _finished |= finished;
            if (_pendingEvents == 0 || finished)
            {
                _idle.TrySetResult();
            }
        }
    }

    // A pool the environment does not have, or a task that needs more of its slots than it has, could never start.
    private void CheckPools(RunContext run)
    {
        var problems = new List<DefinitionProblem>();
        foreach (var task in run.Dag.Tasks.Where(t => t.Pool is not null && Options.Scope.Includes(t.Id)))
        {
            if (!Options.Pools.TryGetValue(task.Pool!, out var slots))
            {
                problems.Add(new DefinitionProblem(run.Dag.Id, task.Id, "pool",
                    $"pool '{task.Pool}' does not exist; pools of environment '{run.Environment.Name}': {NameList.Some(Options.Pools.Keys, task.Pool)}"));
            }
            else if (task.PoolSlots > slots)
            {
                problems.Add(new DefinitionProblem(run.Dag.Id, task.Id, "pool.slots",
                    $"needs {task.PoolSlots} slots of pool '{task.Pool}', which has {slots}; it could never start"));
            }
        }

        if (problems.Count > 0)
        {
            throw new PipelineDefinitionException(problems);
        }
    }

    private static TaskCompletionSource NewIdle() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
