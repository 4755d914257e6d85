using System.Text.Json;
using System.Threading.Channels;
using Pipelines.Execution.Notifications;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Execution.Telemetry;
using Pipelines.Resolution;

namespace Pipelines.Execution;

/// <summary>
/// One run of the executor: the scheduling loop and the state it alone writes. Attempts run concurrently and post their
/// end as events; each step handles every event at hand, picks what to start, commits all of it in one batch, then starts
/// the attempts. What the loop decides with is in small types of its own: <see cref="ResumePlan"/> (where the run starts
/// from), <see cref="TaskBoard"/> (where each task stands), <see cref="CriticalPath"/> (which ready task first), <see cref="ReadyQueue"/> (slots and pools),
/// <see cref="TriggerRules"/> (whether a task runs), <see cref="AttemptVerdict"/> (what an ended attempt means),
/// <see cref="AttemptRunner"/> and <see cref="AttemptLogSink"/> (running an attempt and keeping its log),
/// <see cref="StoreWriter"/> (committing, and stopping when a commit fails).
/// </summary>
internal sealed class RunLoop
{
    private readonly Executor _executor;
    private readonly RunContext _run;
    private readonly IRunObserver _observer;
    private readonly IRuntimeSession _session;
    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _cancel;
    private readonly RunGraph _graph;
    private readonly RunScope _scope;
    private readonly TaskResolver _resolver;
    private readonly StoreWriter _writer;
    private readonly AttemptRunner _runner;
    private readonly RunCallbacks _callbacks;
    private readonly Dictionary<int, int?> _failedExitCodes = [];
    private RunTelemetry _telemetry = null!;
    private readonly Dictionary<(int Task, int Try), AttemptRecord> _attempts = [];
    private readonly List<ITimer> _retryTimers = [];
    private readonly Channel<RunEvent> _events = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });
    private Dictionary<string, JsonElement> _outputs = null!;
    private ReadyQueue _queue = null!;
    private TaskBoard _board = null!;
    private DagRunRecord _record = null!;
    private int _pendingRetries;
    private bool _cancelled;

    public RunLoop(Executor executor, RunContext run, IRunObserver observer, IRuntimeSession session, CancellationToken cancel)
    {
        _executor = executor;
        _run = run;
        _observer = observer;
        _session = session;
        // The caller's cancellation, or a failed write of the run's state: both stop the run the same way.
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        _cancel = _stop.Token;
        _graph = new RunGraph(run.Dag);
        _scope = executor.Options.Scope;
        _resolver = new TaskResolver(run);
        _writer = new StoreWriter(executor.Store, executor.StoreGate, _stop, session);
        _callbacks = new RunCallbacks(run, Options.Notifiers, observer, Options.Masker, executor.Time, Options.CallbackTimeout);
        _runner = new AttemptRunner(session, executor.Runtime.Name, (run.Dag.Id, run.RunId), executor.Time, _writer, observer, Options.Masker, _cancel, Post,
            _callbacks.Enabled ? CallbackContext.LogTailLines : 0);
    }

    private ExecutorOptions Options => _executor.Options;

    private TimeProvider Time => _executor.Time;

    // The token may fire before its Cancel event is handled: attempts it stopped report first.
    private bool Cancelling => _cancelled || _cancel.IsCancellationRequested;

    // Why attempts end cancelled: the caller cancelled, or a write failed.
    private string StopReason => _writer.Failure is null ? "the run was cancelled" : "the run stopped: its state could not be written";

    public async Task<RunOutcome> RunAsync()
    {
        using var stop = _stop; // released with the run
        _executor.RunStarting();
        _telemetry = new RunTelemetry(_run, _executor.Runtime.Name, Options.Masker, Time.GetUtcNow());
        var leftovers = _scope.FollowsDependencies ? await _session.FindLeftoversAsync(_cancel).ConfigureAwait(false) : [];
        var plan = ResumePlan.Build(_graph, _run, _executor.Store, _scope, _executor.Runtime.Name, leftovers, Time.GetUtcNow());
        var batch = Start(plan);
        using var onCancel = _cancel.Register(() => Post(RunEvent.Cancel()));
        var launches = StartReady(batch);
        _writer.Commit(batch); // before the run starts, a failed commit throws: nothing was started
        foreach (var attempt in plan.Forget)
        {
            _writer.Forget(attempt, logPath: null);
        }

        foreach (var (task, attempt) in plan.Adopt)
        {
            Adopt(task, attempt);
        }

        Launch(launches);

        // Idle is signalled only after the step's attempts are launched: their timers exist then,
        // so a test that advances a fake clock when idle never skips past them.
        _executor.EventsHandled(0, finished: false);
        while (!(_queue.Active == 0 && _pendingRetries == 0 && (_queue.Count == 0 || _cancelled)))
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
            _writer.TryCommit(batch);
            Launch(launches);
            _executor.EventsHandled(handled, finished: false);
        }

        var outcome = Finish();
        await _writer.WhenForgottenAsync().ConfigureAwait(false);
        await _callbacks.DrainAsync().ConfigureAwait(false);
        _executor.EventsHandled(0, finished: true);
        return _writer.Failure is { } failure ? throw failure : outcome;
    }

    // Takes the plan's state, and the first decisions: adopted attempts hold their slots, tasks whose rule is met queue.
    private StoreBatch Start(ResumePlan plan)
    {
        _board = new TaskBoard(_graph, _scope, _observer, (_graph.Dag.Id, _run.RunId), Time, plan);
        _outputs = plan.Outputs;
        _record = plan.Record;
        _queue = new ReadyQueue(_graph, CriticalPath.Ranks(_graph, _executor.Store.PastDurations(_graph.Dag.Id)), Options.Pools, Math.Max(1, Options.MaxActiveTasks ?? _graph.Dag.MaxActiveTasks));
        foreach (var (task, attempt) in plan.Adopt)
        {
            _board.States[task] = TaskState.Running;
            _queue.Occupy(task);
            _attempts[(task, attempt.TryNumber)] = attempt;
            _observer.TaskChanged(_graph.Tasks[task].Id, TaskState.Running, attempt.TryNumber, "re-attached: a host that stopped started this attempt");
        }

        var batch = plan.Batch;
        foreach (var i in _graph.TopologicalOrder)
        {
            _board.Decide(i, _queue, batch);
        }

        return batch;
    }

    private List<(int Task, int Try)> StartReady(StoreBatch batch)
    {
        var launches = new List<(int, int)>();
        while (_queue.TryStart(out var i))
        {
            var task = _graph.Tasks[i];
            var tryNumber = ++_board.TryNumbers[i];
            _board.AttemptsThisRun[i]++;
            var attempt = new AttemptRecord(task.Id, tryNumber, AttemptState.Starting, Time.GetUtcNow(), null, null, null, null, null,
                Options.LogFolder is null ? null : RunPaths.LogPath(Options.LogFolder, _graph.Dag.Id, _run.RunId, task.Id, tryNumber),
                _executor.Runtime.Name);
            _attempts[(i, tryNumber)] = attempt;
            batch.Attempts.Add((_graph.Dag.Id, _run.RunId, attempt));
            _board.Set(i, TaskState.Running, null, batch);
            launches.Add((i, tryNumber));
        }

        return launches;
    }

    private void Launch(List<(int Task, int Try)> launches)
    {
        foreach (var (i, tryNumber) in launches)
        {
            if (_writer.Failure is not null)
            {
                // Its start may not be recorded: it never runs, and ends cancelled with the others.
                Post(RunEvent.Finish(i, tryNumber, new AttemptEnd(AttemptResult.Stopped("not started: the run's state could not be written"), NoRetry: true), null));
                continue;
            }

            ResolvedTask attempt;
            try
            {
                // On the loop: the outputs it reads are stable here.
                attempt = _resolver.Resolve(_graph.Tasks[i], tryNumber, _outputs);
            }
            catch (PipelineDefinitionException ex)
            {
                var reason = "resolve: " + string.Join("; ", ex.Problems.Select(p => $"field '{p.Field}': {p.Message}"));
                Post(RunEvent.Finish(i, tryNumber, new AttemptEnd(AttemptResult.Lost(AttemptLoss.StartFailed, reason), NoRetry: true), null));
                continue;
            }

            var record = _attempts[(i, tryNumber)];
            var span = _telemetry.AttemptStarted(i, tryNumber, record.TaskId, record.StartedAt, _board.QueuedAt[i]);
            _ = _runner.RunAsync(i, attempt, record, span);
        }
    }

    private void Adopt(int i, AttemptRecord record)
    {
        ResolvedTask? attempt = null;
        string? problem = null;
        try
        {
            attempt = _resolver.Resolve(_graph.Tasks[i], record.TryNumber, _outputs);
        }
        catch (PipelineDefinitionException ex)
        {
            problem = ex.Message;
        }

        var span = _telemetry.AttemptStarted(i, record.TryNumber, record.TaskId, record.StartedAt, queuedAt: null);
        _ = _runner.AdoptAsync(i, record, attempt, problem, span);
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
                for (var i = 0; i < _graph.Count; i++)
                {
                    if (_board.States[i] is TaskState.UpForRetry)
                    {
                        _board.Set(i, TaskState.Cancelled, $"{StopReason} while waiting to retry", batch);
                    }
                }

                _pendingRetries = 0;
                break;
            case RunEventKind.RetryDue when !_cancelled && _board.States[ev.Task] == TaskState.UpForRetry:
                _pendingRetries--;
                _board.Set(ev.Task, TaskState.Queued, null, batch, persist: false);
                _queue.Enqueue(ev.Task);
                break;
            case RunEventKind.Finished:
                Finished(ev, batch);
                break;
        }
    }

    // Records the attempt's end and applies its verdict to the task.
    private void Finished(RunEvent ev, StoreBatch batch)
    {
        var i = ev.Task;
        _queue.Release(i);
        var attempt = _attempts[(i, ev.Try)];
        _attempts.Remove((i, ev.Try));
        var end = ev.End;
        var verdict = AttemptVerdict.Decide(_graph.Tasks[i], end, _board.AttemptsThisRun[i], Cancelling ? StopReason : null, Options.Masker, Options.Jitter());
        _board.AttemptsThisRun[i] = verdict.AttemptsThisRun;
        var now = Time.GetUtcNow();
        var exitCode = end.NeverStarted ? null : end.Result.ExitCode;
        _telemetry.AttemptEnded(i, ev.Try, attempt.TaskId, verdict.Attempt, exitCode, verdict.AttemptReason, attempt.StartedAt, now);
        if (verdict.Kind is VerdictKind.Succeeded or VerdictKind.Failed or VerdictKind.Retry)
        {
            var @event = verdict.Kind switch { VerdictKind.Succeeded => CallbackEvent.Success, VerdictKind.Retry => CallbackEvent.Retry, _ => CallbackEvent.Failure };
            _callbacks.TaskEnded(_graph.Tasks[i], @event, ev.Try, verdict.TaskReason ?? verdict.AttemptReason, exitCode, ev.LogTail ?? [], attempt.StartedAt);
            if (verdict.Kind == VerdictKind.Failed)
            {
                _failedExitCodes[i] = exitCode;
            }
        }

        batch.Attempts.Add((_graph.Dag.Id, _run.RunId, attempt with
        {
            State = verdict.Attempt,
            EndedAt = now,
            ExitCode = exitCode,
            Reason = verdict.AttemptReason,
            Output = verdict.Output,
            Handle = ev.Handle ?? attempt.Handle,
            MemoryPeakBytes = end.Usage?.MemoryPeakBytes ?? attempt.MemoryPeakBytes,
            CpuSeconds = end.Usage?.CpuSeconds ?? attempt.CpuSeconds,
        }));
        switch (verdict.Kind)
        {
            case VerdictKind.NotStarted:
                _board.Set(i, TaskState.Queued, null, batch, persist: false);
                _queue.Enqueue(i);
                break;
            case VerdictKind.Cancelled:
                _board.Set(i, TaskState.Cancelled, verdict.TaskReason, batch);
                break;
            case VerdictKind.Retry:
                _board.Set(i, TaskState.UpForRetry, verdict.TaskReason, batch);
                ScheduleRetry(i, verdict.RetryDelay);
                break;
            default:
                if (verdict.OutputValue is { } value)
                {
                    _outputs[_graph.Tasks[i].Id] = value;
                }

                _board.Set(i, verdict.Kind switch { VerdictKind.Succeeded => TaskState.Success, VerdictKind.Skipped => TaskState.Skipped, _ => TaskState.Failed }, verdict.TaskReason, batch);
                foreach (var d in _graph.Downstream[i])
                {
                    _board.Decide(d, _queue, batch);
                }

                break;
        }
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

    private void Post(RunEvent ev)
    {
        _executor.EventPosted();
        _events.Writer.TryWrite(ev);
    }

    private RunOutcome Finish()
    {
        foreach (var timer in _retryTimers)
        {
            timer.Dispose();
        }

        var included = Enumerable.Range(0, _graph.Count).Where(i => _scope.Includes(_graph.Tasks[i].Id)).ToList();
        var state = Cancelling ? RunState.Cancelled
            : included.Any(i => _board.States[i] is TaskState.Failed or TaskState.UpstreamFailed || !_board.States[i].IsFinished()) ? RunState.Failed
            : RunState.Success;
        _record = _record with { State = state, EndedAt = Time.GetUtcNow() };
        if (_scope.FollowsDependencies && _callbacks.Enabled)
        {
            // A test of a few tasks is no run of the DAG: its tasks' callbacks are called, the DAG's run callbacks are not.
            var failed = included.Where(i => _board.States[i] == TaskState.Failed)
                .Select(i => new FailedTask(_graph.Tasks[i].Id, _board.TryNumbers[i], _board.Reasons[i], _failedExitCodes.TryGetValue(i, out var code) ? code : null))
                .ToList();
            _callbacks.RunEnded(state, failed, _telemetry.StartedAt);
        }

        _telemetry.RunEnded(state, _record.EndedAt.Value);
        var batch = new StoreBatch();
        batch.Runs.Add(_record);
        _writer.TryCommit(batch);
        var tasks = included.ToDictionary(i => _graph.Tasks[i].Id, i => _board.States[i], StringComparer.Ordinal);
        return new RunOutcome(state, tasks, _record);
    }

    private sealed class RetryTarget(RunLoop loop, int task)
    {
        public void Fire() => loop.Post(RunEvent.Retry(task));
    }
}
