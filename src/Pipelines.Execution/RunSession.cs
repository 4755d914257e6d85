using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Pipelines.Attempts;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Rendering;
using Pipelines.Resolution;
using Pipelines.Templating;
using Pipelines.Text;

namespace Pipelines.Execution;

/// <summary>
/// One run of the executor: the scheduling loop and its state. The loop is the only writer of
/// task state; attempts run concurrently and post their end as events. Each loop step handles every
/// event at hand, picks what to start, commits all of it in one batch, then starts the attempts.
/// </summary>
internal sealed class RunSession
{
    private readonly Executor _executor;
    private readonly RunContext _run;
    private readonly IRunObserver _observer;
    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _cancel;
    private readonly Dag _dag;
    private readonly ImmutableArray<ContainerTask> _tasks;
    private readonly Dictionary<string, int> _index;
    private readonly int[][] _upstream;
    private readonly int[][] _downstream;
    private readonly TaskState[] _state;
    private readonly int[] _tryNumber;
    private readonly int[] _attemptsThisRun;
    private readonly string?[] _reason;
    private readonly bool[] _included;
    private readonly double[] _rank;
    private readonly Dictionary<string, JsonElement> _outputs = new(StringComparer.Ordinal);
    private readonly PriorityQueue<int, (double, int)> _ready = new();
    private readonly Dictionary<string, PriorityQueue<int, (double, int)>> _poolWaiting = new(StringComparer.Ordinal);
    private readonly UpstreamTally[] _tally;
    private readonly Dictionary<string, int> _poolUsed = new(StringComparer.Ordinal);
    private readonly Dictionary<(int Task, int Try), AttemptRecord> _attempts = [];
    private readonly List<ITimer> _retryTimers = [];
    private readonly Channel<RunEvent> _events = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _maxActive;
    private DagRunRecord _record = null!;
    private int _active;
    private int _pendingRetries;
    private bool _cancelled;
    private RunStateWriteException? _writeFailure;

    private readonly List<Task> _forgetting = [];

    // One template session for every attempt of the run: attempts are resolved on the loop, one at a time.
    private readonly TaskResolver _resolver;

    public RunSession(Executor executor, RunContext run, IRunObserver observer, CancellationToken cancel)
    {
        _executor = executor;
        _run = run;
        _resolver = new TaskResolver(run);
        _observer = observer;
        // The caller's cancellation, or a failed write of the run's state: both stop the run the same way.
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        _cancel = _stop.Token;
        _dag = run.Dag;
        _tasks = _dag.Tasks;
        var n = _tasks.Length;
        _index = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            _index[_tasks[i].Id] = i;
        }

        _upstream = new int[n][];
        _downstream = new int[n][];
        for (var i = 0; i < n; i++)
        {
            _upstream[i] = [.. _tasks[i].Upstream.Select(u => _index[u])];
            _downstream[i] = [.. _dag.Downstream(_tasks[i].Id).Select(d => _index[d])];
        }

        _state = new TaskState[n];
        _tryNumber = new int[n];
        _attemptsThisRun = new int[n];
        _reason = new string?[n];
        _included = new bool[n];
        _rank = new double[n];
        _tally = new UpstreamTally[n];
        var only = executor.Options.OnlyTasks;
        for (var i = 0; i < n; i++)
        {
            _included[i] = only is null || only.Contains(_tasks[i].Id);
        }

        _maxActive = Math.Max(1, executor.Options.MaxActiveTasks ?? _dag.MaxActiveTasks);
    }

    private TimeProvider Time => _executor.Time;

    // The token may fire before its Cancel event is handled: attempts it stopped report first.
    private bool Cancelling => _cancelled || _cancel.IsCancellationRequested;

    private ExecutorOptions Options => _executor.Options;

    // Why attempts end cancelled: the caller cancelled, or a write failed (StopOnWriteFailure).
    private string StopReason => _writeFailure is null ? "the run was cancelled" : "the run stopped: its state could not be written";

    public async Task<RunOutcome> RunAsync()
    {
        using var stop = _stop; // released with the run
        CheckPools();
        _executor.RunStarting();
        var batch = new StoreBatch();
        var adopt = Load(batch);
        ComputeRanks();
        foreach (var (task, attempt) in adopt)
        {
            _state[task] = TaskState.Running;
            _active++;
            TakePool(task);
            _observer.TaskChanged(_tasks[task].Id, TaskState.Running, attempt.TryNumber, "re-attached: a host that stopped started this attempt");
        }

        for (var i = 0; i < _tasks.Length; i++)
        {
            if (_state[i].IsFinished())
            {
                TallyDownstream(i, _state[i]);
            }
        }

        foreach (var i in TopologicalIndexes())
        {
            Decide(i, batch);
        }

        using var onCancel = _cancel.Register(() => Post(RunEvent.Cancel()));
        var launches = StartReady(batch);
        Commit(batch);
        foreach (var (task, attempt) in adopt)
        {
            _ = AdoptAttemptAsync(task, attempt);
        }

        Launch(launches);

        // Idle is signalled only after the step's attempts are launched: their timers exist then,
        // so a test that advances a fake clock when idle never skips past them.
        _executor.EventsHandled(0, finished: false);
        while (!(_active == 0 && _pendingRetries == 0 && (_ready.Count == 0 || _cancelled)))
        {
            var ev = await _events.Reader.ReadAsync().ConfigureAwait(false);
            batch = new StoreBatch();
            var handled = 1;
            Handle(ev, batch);
            while (_events.Reader.TryRead(out var more))
            {
                Handle(more, batch);
                handled++;
            }

            launches = _cancelled ? [] : StartReady(batch);
            TryCommit(batch);
            Launch(launches);
            _executor.EventsHandled(handled, finished: false);
        }

        var outcome = Finish();
        Task[] forgetting;
        lock (_forgetting)
        {
            forgetting = [.. _forgetting];
        }

        await Task.WhenAll(forgetting).ConfigureAwait(false);
        _executor.EventsHandled(0, finished: true);
        return _writeFailure is { } failure ? throw failure : outcome;
    }

    private void CheckPools()
    {
        var problems = new List<DefinitionProblem>();
        for (var i = 0; i < _tasks.Length; i++)
        {
            var task = _tasks[i];
            if (task.Pool is null || !_included[i])
            {
                continue;
            }

            if (!Options.Pools.TryGetValue(task.Pool, out var slots))
            {
                problems.Add(new DefinitionProblem(_dag.Id, task.Id, "pool",
                    $"pool '{task.Pool}' does not exist; pools of environment '{_run.Environment.Name}': {NameList.Some(Options.Pools.Keys, task.Pool)}"));
            }
            else if (task.PoolSlots > slots)
            {
                problems.Add(new DefinitionProblem(_dag.Id, task.Id, "pool.slots",
                    $"needs {task.PoolSlots} slots of pool '{task.Pool}', which has {slots}; it could never start"));
            }
        }

        if (problems.Count > 0)
        {
            throw new PipelineDefinitionException(problems);
        }
    }

    // Reads an earlier run of the same DAG and logical date: succeeded and skipped tasks are kept,
    // attempts that were live are returned for adoption, everything else runs again.
    private List<(int Task, AttemptRecord Attempt)> Load(StoreBatch batch)
    {
        var now = Time.GetUtcNow();
        var adopt = new List<(int, AttemptRecord)>();
        var existing = _executor.Store.FindRun(_dag.Id, _run.RunId);
        if (existing is not null)
        {
            var latest = new Dictionary<string, AttemptRecord>(StringComparer.Ordinal);
            foreach (var attempt in _executor.Store.LoadAttempts(_dag.Id, _run.RunId))
            {
                if (attempt.State is not (AttemptState.Starting or AttemptState.Running))
                {
                    Forget(new AttemptKey(_dag.Id, _run.RunId, attempt.TaskId, attempt.TryNumber)); // left by a host that died after the record
                }

                if (!latest.TryGetValue(attempt.TaskId, out var known) || attempt.TryNumber > known.TryNumber)
                {
                    latest[attempt.TaskId] = attempt;
                }
            }

            foreach (var task in _executor.Store.LoadTasks(_dag.Id, _run.RunId))
            {
                if (!_index.TryGetValue(task.TaskId, out var i))
                {
                    continue; // a task the DAG no longer has
                }

                _tryNumber[i] = task.TryNumber;
                latest.TryGetValue(task.TaskId, out var last);
                var recorded = task;
                if (task.State == TaskState.Success && last is { State: AttemptState.Success, Output: { } output })
                {
                    // Outputs of every succeeded task, also those a test run does not include.
                    if (TaskOutputs.TryParseRecorded(output) is { } element)
                    {
                        _outputs[task.TaskId] = element;
                    }
                    else
                    {
                        // Written masked by an earlier version (`***` inside a number): run the task again rather than pass it on.
                        recorded = task with { State = TaskState.None, Reason = "its recorded output is not valid JSON; it runs again" };
                    }
                }

                if (Options.OnlyTasks is not null)
                {
                    continue; // the test verb runs its tasks whatever they did before
                }

                if (recorded.State is TaskState.Success or TaskState.Skipped)
                {
                    _state[i] = recorded.State;
                    _reason[i] = recorded.Reason;
                }
                else if (last is { State: AttemptState.Starting or AttemptState.Running } && _included[i])
                {
                    adopt.Add((i, last));
                    _attempts[(i, last.TryNumber)] = last;
                }
                else if (task.State != TaskState.None)
                {
                    batch.Tasks.Add((_dag.Id, _run.RunId, task with { State = TaskState.None, Reason = null, UpdatedAt = now }));
                }
            }
        }

        _record = (existing ?? new DagRunRecord(
            _dag.Id,
            _run.RunId,
            _run.LogicalDate,
            RunState.Running,
            _run.Environment.Name,
            _executor.Runtime.Name,
            JsonSerializer.Serialize(_run.Params),
            now,
            null)) with
        { State = RunState.Running, EndedAt = null, Runtime = _executor.Runtime.Name, Environment = _run.Environment.Name };
        batch.Runs.Add(_record);
        return adopt;
    }

    // Critical-path priority: a task's rank is its own expected duration plus the longest rank
    // below it. Past durations from the store when known, else 1 per task.
    private void ComputeRanks()
    {
        var past = _executor.Store.PastDurations(_dag.Id);
        var fallback = past.Count == 0 ? 1.0 : past.Values.Average(d => Math.Max(d.TotalSeconds, 0.001));
        var order = TopologicalIndexes().ToArray();
        for (var k = order.Length - 1; k >= 0; k--)
        {
            var i = order[k];
            var own = past.TryGetValue(_tasks[i].Id, out var d) ? Math.Max(d.TotalSeconds, 0.001) : fallback;
            var below = 0.0;
            foreach (var down in _downstream[i])
            {
                below = Math.Max(below, _rank[down]);
            }

            _rank[i] = own + below;
        }
    }

    private IEnumerable<int> TopologicalIndexes() => _dag.TopologicalOrder.Select(id => _index[id]);

    // Applies the trigger rule of a task that has not started; a task that settles without running
    // settles its downstream in turn (iteratively, so long chains are fine).
    private void Decide(int first, StoreBatch batch)
    {
        var work = new Stack<int>();
        work.Push(first);
        while (work.Count > 0)
        {
            var i = work.Pop();
            if (_state[i] != TaskState.None || !_included[i])
            {
                continue;
            }

            var decision = Options.OnlyTasks is not null ? RuleDecision.Run : TriggerRules.Evaluate(_tasks[i].TriggerRule, Count(i));
            switch (decision)
            {
                case RuleDecision.Run:
                    SetState(i, TaskState.Queued, null, batch, persist: false);
                    _ready.Enqueue(i, (-_rank[i], i));
                    break;
                case RuleDecision.Skip:
                    SetState(i, TaskState.Skipped, TriggerRules.Reason(_tasks[i].TriggerRule, Count(i)), batch);
                    PushDownstream(i, work);
                    break;
                case RuleDecision.UpstreamFailed:
                    SetState(i, TaskState.UpstreamFailed, TriggerRules.Reason(_tasks[i].TriggerRule, Count(i)), batch);
                    PushDownstream(i, work);
                    break;
            }
        }
    }

    private void PushDownstream(int task, Stack<int> work)
    {
        foreach (var d in _downstream[task])
        {
            work.Push(d);
        }
    }

    // Running counts of each task's settled upstream, so deciding costs the same whatever the fan-in.
    private UpstreamCounts Count(int i)
    {
        var t = _tally[i];
        return new UpstreamCounts(_upstream[i].Length, t.Success, t.Failed, t.UpstreamFailed, t.Skipped);
    }

    private void TallyDownstream(int task, TaskState state)
    {
        foreach (var d in _downstream[task])
        {
            switch (state)
            {
                case TaskState.Success: _tally[d].Success++; break;
                case TaskState.Failed: _tally[d].Failed++; break;
                case TaskState.UpstreamFailed: _tally[d].UpstreamFailed++; break;
                case TaskState.Skipped: _tally[d].Skipped++; break;
            }
        }
    }

    private List<(int Task, int Try)> StartReady(StoreBatch batch)
    {
        var launches = new List<(int, int)>();
        while (_active < _maxActive && _ready.TryDequeue(out var i, out var priority))
        {
            var task = _tasks[i];
            if (task.Pool is { } pool && _poolUsed.GetValueOrDefault(pool) + task.PoolSlots > Options.Pools[pool])
            {
                // Waits in its pool's own queue until a slot of that pool frees, instead of being
                // re-sorted into the ready queue at every step.
                if (!_poolWaiting.TryGetValue(pool, out var waiting))
                {
                    _poolWaiting[pool] = waiting = new PriorityQueue<int, (double, int)>();
                }

                waiting.Enqueue(i, priority);
                continue;
            }

            TakePool(i);
            _active++;
            var tryNumber = ++_tryNumber[i];
            _attemptsThisRun[i]++;
            var attempt = new AttemptRecord(task.Id, tryNumber, AttemptState.Starting, Time.GetUtcNow(), null, null, null, null, null,
                Options.LogFolder is null ? null : RunPaths.LogPath(Options.LogFolder, _dag.Id, _run.RunId, task.Id, tryNumber));
            _attempts[(i, tryNumber)] = attempt;
            batch.Attempts.Add((_dag.Id, _run.RunId, attempt));
            SetState(i, TaskState.Running, null, batch);
            launches.Add((i, tryNumber));
        }

        return launches;
    }

    private void TakePool(int i)
    {
        if (_tasks[i].Pool is { } pool)
        {
            _poolUsed[pool] = _poolUsed.GetValueOrDefault(pool) + _tasks[i].PoolSlots;
        }
    }

    private void ReleasePool(int i)
    {
        if (_tasks[i].Pool is { } pool)
        {
            _poolUsed[pool] -= _tasks[i].PoolSlots;

            // Back to the ready queue, best first, as many waiting tasks as the free slots could hold.
            var free = Options.Pools[pool] - _poolUsed[pool];
            while (free > 0 && _poolWaiting.TryGetValue(pool, out var waiting) && waiting.TryDequeue(out var next, out var priority))
            {
                _ready.Enqueue(next, priority);
                free -= _tasks[next].PoolSlots;
            }
        }
    }

    private void Launch(List<(int Task, int Try)> launches)
    {
        foreach (var (task, tryNumber) in launches)
        {
            if (_writeFailure is not null)
            {
                // Its start may not be recorded: it never runs, and ends cancelled with the others.
                Post(RunEvent.Finish(task, tryNumber, AttemptResult.Stopped("not started: the run's state could not be written"), timedOut: false, noRetry: true, handle: null));
                continue;
            }

            _ = RunAttemptAsync(task, tryNumber);
        }
    }

    private void Handle(RunEvent ev, StoreBatch batch)
    {
        switch (ev.Kind)
        {
            case RunEventKind.Cancel:
                _cancelled = true;
                foreach (var timer in _retryTimers)
                {
                    timer.Dispose();
                }

                _retryTimers.Clear();
                for (var i = 0; i < _tasks.Length; i++)
                {
                    if (_state[i] is TaskState.UpForRetry)
                    {
                        SetState(i, TaskState.Cancelled, $"{StopReason} while waiting to retry", batch);
                    }
                }

                _pendingRetries = 0;
                break;
            case RunEventKind.RetryDue when !_cancelled && _state[ev.Task] == TaskState.UpForRetry:
                _pendingRetries--;
                SetState(ev.Task, TaskState.Queued, null, batch, persist: false);
                _ready.Enqueue(ev.Task, (-_rank[ev.Task], ev.Task));
                break;
            case RunEventKind.Finished:
                Finished(ev, batch);
                break;
        }
    }

    private void Finished(RunEvent ev, StoreBatch batch)
    {
        var i = ev.Task;
        var task = _tasks[i];
        _active--;
        ReleasePool(i);
        var now = Time.GetUtcNow();
        var attempt = _attempts[(i, ev.Try)];
        _attempts.Remove((i, ev.Try));
        attempt = attempt with { Handle = ev.Handle ?? attempt.Handle };
        var result = ev.Result!;

        if (ev.NeverStarted)
        {
            // Recorded as starting, but the runtime has no trace of it: the host died before the start.
            batch.Attempts.Add((_dag.Id, _run.RunId, attempt with { State = AttemptState.Failed, EndedAt = now, Reason = "host-crash: the host stopped before this attempt started" }));
            Requeue(i, batch);
            return;
        }

        if (result.Outcome == AttemptOutcome.Stopped && Cancelling && !ev.TimedOut)
        {
            batch.Attempts.Add((_dag.Id, _run.RunId, attempt with { State = AttemptState.Cancelled, EndedAt = now, ExitCode = result.ExitCode, Reason = Mask(result.Reason) }));
            SetState(i, TaskState.Cancelled, StopReason, batch);
            return;
        }

        string? failure = null;
        string? output = null;
        if (ev.TimedOut)
        {
            failure = $"timed out after {task.ExecutionTimeout}";
        }
        else if (result.Outcome != AttemptOutcome.Exited)
        {
            failure = result.Reason ?? result.Outcome.ToString();
        }
        else if (task.SkipOnExitCodes.Contains(result.ExitCode!.Value))
        {
            batch.Attempts.Add((_dag.Id, _run.RunId, attempt with { State = AttemptState.Skipped, EndedAt = now, ExitCode = result.ExitCode, Reason = Mask(result.Reason) }));
            SetState(i, TaskState.Skipped, $"exit code {result.ExitCode} is a skip exit code", batch);
            Settled(i, batch);
            return;
        }
        else if (result.ExitCode != 0)
        {
            failure = $"exit code {result.ExitCode}" + (result.Reason is null ? string.Empty : $" ({result.Reason})");
        }
        else if (result.OutputProblem is { } problem)
        {
            failure = problem;
        }
        else
        {
            failure = TaskOutputs.Check(result.Output, Options.Masker, out var element);
            if (failure is null && element is { } value)
            {
                output = result.Output;
                _outputs[task.Id] = value;
            }
        }

        if (failure is null)
        {
            // Stored as written: an output holding a secret failed above, so this one holds none, and masking
            // could only corrupt it (secret "100" in {"count": 1000}).
            batch.Attempts.Add((_dag.Id, _run.RunId, attempt with { State = AttemptState.Success, EndedAt = now, ExitCode = 0, Output = output }));
            SetState(i, TaskState.Success, null, batch);
            Settled(i, batch);
            return;
        }

        failure = Mask(failure)!;
        batch.Attempts.Add((_dag.Id, _run.RunId, attempt with { State = AttemptState.Failed, EndedAt = now, ExitCode = result.ExitCode, Reason = failure }));
        if (failure.StartsWith("host-crash", StringComparison.Ordinal))
        {
            // The task did not fail, its host did: retry without spending one of the task's retries.
            _attemptsThisRun[i]--;
        }

        var retriesUsed = _attemptsThisRun[i] - 1;
        if (!ev.NoRetry && retriesUsed < task.Retry.Retries && !Cancelling)
        {
            var delay = failure.StartsWith("host-crash", StringComparison.Ordinal) ? TimeSpan.Zero : RetryDelays.For(task.Retry, retriesUsed + 1, Options.Jitter());
            SetState(i, TaskState.UpForRetry, $"{failure}; retry in {delay}", batch);
            ScheduleRetry(i, delay);
            return;
        }

        SetState(i, TaskState.Failed, failure, batch);
        Settled(i, batch);
    }

    private void Requeue(int i, StoreBatch batch)
    {
        _attemptsThisRun[i] = Math.Max(0, _attemptsThisRun[i] - 1);
        if (Cancelling)
        {
            SetState(i, TaskState.Cancelled, StopReason, batch);
            return;
        }

        SetState(i, TaskState.Queued, null, batch, persist: false);
        _ready.Enqueue(i, (-_rank[i], i));
    }

    private void ScheduleRetry(int i, TimeSpan delay)
    {
        _pendingRetries++;
        if (delay <= TimeSpan.Zero)
        {
            Post(RunEvent.Retry(i));
            return;
        }

        _retryTimers.Add(Time.CreateTimer(static state => ((RetryTarget)state!).Fire(), new RetryTarget(this, i), delay, Timeout.InfiniteTimeSpan));
    }

    private void Settled(int i, StoreBatch batch)
    {
        foreach (var d in _downstream[i])
        {
            Decide(d, batch);
        }
    }

    private void SetState(int i, TaskState state, string? reason, StoreBatch batch, bool persist = true)
    {
        if (state is TaskState.Success or TaskState.Failed or TaskState.UpstreamFailed or TaskState.Skipped && !_state[i].IsFinished())
        {
            TallyDownstream(i, state);
        }

        _state[i] = state;
        _reason[i] = reason;
        if (persist)
        {
            batch.Tasks.Add((_dag.Id, _run.RunId, new TaskInstanceRecord(_tasks[i].Id, state, _tryNumber[i], reason, Time.GetUtcNow())));
        }

        _observer.TaskChanged(_tasks[i].Id, state, _tryNumber[i], reason);
    }

    private void Commit(StoreBatch batch)
    {
        if (batch.IsEmpty)
        {
            return;
        }

        lock (_executor.StoreGate)
        {
            _executor.Store.Commit(batch);
        }
    }

    // Once the run has started, a failed commit stops it (StopOnWriteFailure) instead of throwing.
    private bool TryCommit(StoreBatch batch)
    {
        if (_writeFailure is not null)
        {
            return false;
        }

        try
        {
            Commit(batch);
            ForgetEnded(batch);
            return true;
        }
        catch (RunStoreException e)
        {
            StopOnWriteFailure(new RunStateWriteException(e.Location, "the run store", e));
            return false;
        }
    }

    // Attempts whose end is now recorded: what their runtime kept to report the end may go. Not before —
    // a host that dies between an attempt's end and its record reads the end again when it resumes.
    private void ForgetEnded(StoreBatch batch)
    {
        foreach (var (dagId, runId, attempt) in batch.Attempts)
        {
            if (attempt.State is not (AttemptState.Starting or AttemptState.Running))
            {
                Forget(new AttemptKey(dagId, runId, attempt.TaskId, attempt.TryNumber));
            }
        }
    }

    private void Forget(AttemptKey attempt)
    {
        var runtime = _executor.Runtime;
        var forgetting = Task.Run(async () =>
        {
            try
            {
                await runtime.ForgetAsync(attempt).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Best effort: what is left is only files the runtime can no longer need.
            }
        });
        lock (_forgetting)
        {
            _forgetting.Add(forgetting);
        }
    }

    // As on Ctrl+C: running attempts are stopped (SIGTERM, then SIGKILL after their grace period) and
    // nothing else starts. Nothing more is written either, so the store keeps the last state it
    // committed whole, which a re-run resumes as after a host crash; RunAsync throws at the end.
    private void StopOnWriteFailure(RunStateWriteException failure)
    {
        if (Interlocked.CompareExchange(ref _writeFailure, failure, null) is null)
        {
            _stop.Cancel();
        }
    }

    private void Post(RunEvent ev)
    {
        _executor.EventPosted();
        _events.Writer.TryWrite(ev);
    }

    private string? Mask(string? text) => text is null || Options.Masker is not { } masker ? text : masker.Mask(text);

    private async Task RunAttemptAsync(int i, int tryNumber)
    {
        var task = _tasks[i];
        ResolvedTask rendered;
        try
        {
            // Synchronous up to the first await, on the loop: the outputs it reads are stable here.
            rendered = _resolver.Resolve(task, tryNumber, _outputs);
        }
        catch (PipelineDefinitionException ex)
        {
            var reason = "render: " + string.Join("; ", ex.Problems.Select(p => $"field '{p.Field}': {p.Message}"));
            Post(RunEvent.Finish(i, tryNumber, AttemptResult.Lost(reason), timedOut: false, noRetry: true, handle: null));
            return;
        }

        using var timeout = task.ExecutionTimeout is { } limit ? new CancellationTokenSource(limit, Time) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cancel, timeout?.Token ?? CancellationToken.None);
        using var sink = new AttemptSink(this, i, tryNumber);
        AttemptResult result;
        try
        {
            result = await _executor.Runtime.RunAsync(rendered, sink, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            result = linked.IsCancellationRequested ? AttemptResult.Stopped(ex.Message) : AttemptResult.Lost($"the {_executor.Runtime.Name} runtime failed: {ex.Message}");
        }

        // Timed out only when the runtime stopped it for that: one that ended by itself meanwhile did not.
        var timedOut = result.Outcome == AttemptOutcome.Stopped && timeout?.IsCancellationRequested == true && !_cancel.IsCancellationRequested;
        Post(RunEvent.Finish(i, tryNumber, result, timedOut, noRetry: false, sink.Handle));
    }

    private async Task AdoptAttemptAsync(int i, AttemptRecord attempt)
    {
        var task = _tasks[i];
        AttemptResult? result;
        var timedOut = false;
        try
        {
            var rendered = _resolver.Resolve(task, attempt.TryNumber, _outputs);
            var left = task.ExecutionTimeout is { } limit ? limit - (Time.GetUtcNow() - attempt.StartedAt) : (TimeSpan?)null;
            using var timeout = left is { } l ? new CancellationTokenSource(l > TimeSpan.Zero ? l : TimeSpan.Zero, Time) : null;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cancel, timeout?.Token ?? CancellationToken.None);
            using var sink = new AttemptSink(this, i, attempt.TryNumber);
            result = await _executor.Runtime.AdoptAsync(rendered, attempt.Handle, sink, linked.Token).ConfigureAwait(false);
            // An attempt that ended, or was lost, while the host was down did not time out, even if its time is over now.
            timedOut = result?.Outcome == AttemptOutcome.Stopped && timeout?.IsCancellationRequested == true && !_cancel.IsCancellationRequested;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            result = AttemptResult.Lost($"host-crash: the attempt could not be adopted ({ex.Message})");
        }

        Post(result is null
            ? RunEvent.NotStarted(i, attempt.TryNumber)
            : RunEvent.Finish(i, attempt.TryNumber, result, timedOut, noRetry: false, attempt.Handle));
    }

    private RunOutcome Finish()
    {
        foreach (var timer in _retryTimers)
        {
            timer.Dispose();
        }

        var included = Enumerable.Range(0, _tasks.Length).Where(i => _included[i]).ToList();
        var state = Cancelling ? RunState.Cancelled
            : included.Any(i => _state[i] is TaskState.Failed or TaskState.UpstreamFailed || !_state[i].IsFinished()) ? RunState.Failed
            : RunState.Success;
        _record = _record with { State = state, EndedAt = Time.GetUtcNow() };
        var batch = new StoreBatch();
        batch.Runs.Add(_record);
        TryCommit(batch);
        var tasks = included.ToDictionary(i => _tasks[i].Id, i => _state[i], StringComparer.Ordinal);
        return new RunOutcome(state, tasks, _record);
    }

    private sealed class RetryTarget(RunSession session, int task)
    {
        public void Fire() => session.Post(RunEvent.Retry(task));
    }

    /// <summary>Where a runtime reports one attempt: the handle is committed at once, lines are masked, logged and shown.</summary>
    private sealed class AttemptSink : IAttemptSink, IDisposable
    {
        private readonly RunSession _session;
        private readonly AttemptRecord _record;
        private readonly int _try;
        private readonly string _taskId;
        private readonly object _gate = new();
        private StreamWriter? _log;
        private bool _opened;

        // Created on the loop, before the attempt starts: it keeps its own copy of the attempt record. The log
        // file is made at the first line: an attempt that writes none costs no file (on a slow disk, creating
        // a folder and a file costs more than starting a process).
        public AttemptSink(RunSession session, int task, int tryNumber)
        {
            _session = session;
            _record = session._attempts[(task, tryNumber)];
            _try = tryNumber;
            _taskId = session._tasks[task].Id;
        }

        /// <summary>The runtime's handle, once it reported the start.</summary>
        public string? Handle { get; private set; }

        public ValueTask StartedAsync(string handle)
        {
            Handle = handle;
            var batch = new StoreBatch();
            batch.Attempts.Add((_session._dag.Id, _session._run.RunId, _record with { State = AttemptState.Running, Handle = handle }));
            // Unrecorded, the attempt must not run: the runtime stops it when this throws. A new exception
            // each time: the run's failure itself is thrown once, by RunAsync.
            return _session.TryCommit(batch)
                ? ValueTask.CompletedTask
                : throw new OperationCanceledException("the attempt's start could not be recorded", _session._writeFailure);
        }

        public void Log(string line)
        {
            var masked = _session.Mask(line)!;
            RunStateWriteException? failure = null;
            lock (_gate)
            {
                try
                {
                    OpenLog()?.WriteLine(masked);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    failure = new RunStateWriteException(_record.LogPath!, "the log file", e);
                    CloseLog();
                }
            }

            // Outside the lock: stopping runs the cancellation callbacks. The line still reaches the console.
            if (failure is not null)
            {
                _session.StopOnWriteFailure(failure);
            }

            _session._observer.Log(_taskId, _try, masked);
        }

        public void Dispose()
        {
            lock (_gate)
            {
                CloseLog();
            }
        }

        private StreamWriter? OpenLog()
        {
            if (!_opened && _record.LogPath is { } path)
            {
                _opened = true;
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                _log = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
            }

            return _log;
        }

        // A failed write leaves its bytes in the buffers, and disposing tries them again.
        private void CloseLog()
        {
            try
            {
                _log?.Dispose();
            }
            catch (IOException)
            {
                // Already reported by the write that failed first.
            }

            _log = null;
        }
    }

    private struct UpstreamTally
    {
        public int Success;
        public int Failed;
        public int UpstreamFailed;
        public int Skipped;
    }
}
