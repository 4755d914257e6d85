using Pipelines.Execution.State;

namespace Pipelines.Execution;

/// <summary>
/// Where each task of a run stands: its state and reason, its try number, its attempts in this run, and how its direct
/// upstream tasks ended (counted as they end, so deciding a trigger rule costs the same whatever the fan-in). Every change
/// of state goes through <see cref="Set"/>: into the batch being committed, and to the observer.
/// </summary>
internal sealed class TaskBoard
{
    private readonly RunGraph _graph;
    private readonly RunScope _scope;
    private readonly IRunObserver _observer;
    private readonly (string DagId, string RunId) _run;
    private readonly TimeProvider _time;
    private readonly UpstreamTally[] _tally;

    public TaskBoard(RunGraph graph, RunScope scope, IRunObserver observer, (string DagId, string RunId) run, TimeProvider time, ResumePlan plan)
    {
        _graph = graph;
        _scope = scope;
        _observer = observer;
        _run = run;
        _time = time;
        States = (TaskState[])plan.States.Clone();
        Reasons = (string?[])plan.Reasons.Clone();
        TryNumbers = (int[])plan.TryNumbers.Clone();
        AttemptsThisRun = new int[graph.Count];
        QueuedAt = new DateTimeOffset[graph.Count];
        _tally = new UpstreamTally[graph.Count];
        for (var i = 0; i < graph.Count; i++)
        {
            if (States[i].IsFinished())
            {
                TallyDownstream(i, States[i]);
            }
        }
    }

    public TaskState[] States { get; }

    public string?[] Reasons { get; }

    public int[] TryNumbers { get; }

    /// <summary>When each task was last queued (ready, waiting for a slot).</summary>
    public DateTimeOffset[] QueuedAt { get; }

    /// <summary>Each task's attempts in this run that count against its retries.</summary>
    public int[] AttemptsThisRun { get; }

    /// <summary>
    /// Applies the trigger rule of a task that has not started (a test scope runs its tasks at once): one that may run is
    /// queued; one that settles without running (skipped, upstream failed) settles its downstream in turn — iteratively,
    /// so long chains are fine.
    /// </summary>
    public void Decide(int first, ReadyQueue queue, StoreBatch batch)
    {
        var work = new Stack<int>();
        work.Push(first);
        while (work.Count > 0)
        {
            var i = work.Pop();
            var task = _graph.Tasks[i];
            if (States[i] != TaskState.None || !_scope.Includes(task.Id))
            {
                continue;
            }

            var t = _tally[i];
            var counts = new UpstreamCounts(_graph.Upstream[i].Length, t.Success, t.Failed, t.UpstreamFailed, t.Skipped);
            var decision = _scope.FollowsDependencies ? TriggerRules.Evaluate(task.TriggerRule, counts) : RuleDecision.Run;
            if (decision == RuleDecision.Run)
            {
                Set(i, TaskState.Queued, null, batch, persist: false);
                queue.Enqueue(i);
            }
            else if (decision is RuleDecision.Skip or RuleDecision.UpstreamFailed)
            {
                Set(i, decision == RuleDecision.Skip ? TaskState.Skipped : TaskState.UpstreamFailed, TriggerRules.Reason(task.TriggerRule, counts), batch);
                foreach (var d in _graph.Downstream[i])
                {
                    work.Push(d);
                }
            }
        }
    }

    /// <summary>Sets a task's state (recorded in <paramref name="batch"/> unless <paramref name="persist"/> is false) and tells the observer.</summary>
    public void Set(int i, TaskState state, string? reason, StoreBatch batch, bool persist = true)
    {
        if (state is TaskState.Success or TaskState.Failed or TaskState.UpstreamFailed or TaskState.Skipped && !States[i].IsFinished())
        {
            TallyDownstream(i, state);
        }

        States[i] = state;
        Reasons[i] = reason;
        if (state == TaskState.Queued)
        {
            QueuedAt[i] = _time.GetUtcNow();
        }

        if (persist)
        {
            batch.Tasks.Add((_run.DagId, _run.RunId, new TaskInstanceRecord(_graph.Tasks[i].Id, state, TryNumbers[i], reason, _time.GetUtcNow())));
        }

        _observer.TaskChanged(_graph.Tasks[i].Id, state, TryNumbers[i], reason);
    }

    private void TallyDownstream(int task, TaskState state)
    {
        foreach (var d in _graph.Downstream[task])
        {
            _tally[d].Add(state);
        }
    }
}
