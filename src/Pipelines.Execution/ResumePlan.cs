using System.Text.Json;
using Pipelines.Attempts;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;

namespace Pipelines.Execution;

/// <summary>
/// What a run starts from: an earlier run of the same DAG and logical date is resumed — succeeded and skipped tasks are
/// kept with their outputs, attempts that were live are adopted, everything else runs again — and what the runtime still
/// has of the run that the store no longer needs is forgotten. A scope that does not follow dependencies (a test) keeps
/// nothing and adopts nothing, but reads the recorded outputs.
/// </summary>
internal sealed class ResumePlan
{
    private ResumePlan(int tasks)
    {
        States = new TaskState[tasks];
        Reasons = new string?[tasks];
        TryNumbers = new int[tasks];
    }

    /// <summary>The run's record, running again.</summary>
    public DagRunRecord Record { get; private set; } = null!;

    /// <summary>Each task's state: kept (success, skipped) or none.</summary>
    public TaskState[] States { get; }

    /// <summary>Each kept task's reason.</summary>
    public string?[] Reasons { get; }

    /// <summary>Each task's highest try number so far.</summary>
    public int[] TryNumbers { get; }

    /// <summary>The outputs of every task that succeeded, by task id.</summary>
    public Dictionary<string, JsonElement> Outputs { get; } = new(StringComparer.Ordinal);

    /// <summary>Attempts recorded as live, to adopt.</summary>
    public List<(int Task, AttemptRecord Attempt)> Adopt { get; } = [];

    /// <summary>The first batch: the run record, and tasks reset to run again.</summary>
    public StoreBatch Batch { get; } = new();

    /// <summary>Attempts the runtime still has whose end the store recorded, or that it never recorded.</summary>
    public List<AttemptKey> Forget { get; } = [];

    /// <exception cref="RuntimeMismatchException">A live attempt was started by another runtime, which this one cannot reach.</exception>
    public static ResumePlan Build(RunGraph graph, RunContext run, IRunStore store, RunScope scope, string runtime, IReadOnlyList<Leftover> leftovers, DateTimeOffset now)
    {
        var plan = new ResumePlan(graph.Count);
        var dagId = graph.Dag.Id;
        var existing = store.FindRun(dagId, run.RunId);
        if (existing is not null)
        {
            var attempts = store.LoadAttempts(dagId, run.RunId);
            plan.Load(graph, run.RunId, store.LoadTasks(dagId, run.RunId), attempts, scope, now);
            if (scope.FollowsDependencies)
            {
                CheckRuntime(graph, run, plan.Adopt, existing.Runtime, runtime);
                plan.ForgetLeftovers(attempts, leftovers);
            }
        }
        else if (scope.FollowsDependencies)
        {
            plan.ForgetLeftovers([], leftovers);
        }

        plan.Record = (existing ?? new DagRunRecord(
            dagId,
            run.RunId,
            run.LogicalDate,
            RunState.Running,
            run.Environment.Name,
            runtime,
            JsonSerializer.Serialize(run.Params),
            now,
            null)) with
        { State = RunState.Running, EndedAt = null, Runtime = runtime, Environment = run.Environment.Name };
        plan.Batch.Runs.Add(plan.Record);
        return plan;
    }

    private void Load(RunGraph graph, string runId, IReadOnlyList<TaskInstanceRecord> tasks, IReadOnlyList<AttemptRecord> attempts, RunScope scope, DateTimeOffset now)
    {
        var latest = new Dictionary<string, AttemptRecord>(StringComparer.Ordinal);
        foreach (var attempt in attempts)
        {
            if (!latest.TryGetValue(attempt.TaskId, out var known) || attempt.TryNumber > known.TryNumber)
            {
                latest[attempt.TaskId] = attempt;
            }
        }

        foreach (var task in tasks)
        {
            if (!graph.TryIndexOf(task.TaskId, out var i))
            {
                continue; // a task the DAG no longer has
            }

            TryNumbers[i] = task.TryNumber;
            latest.TryGetValue(task.TaskId, out var last);
            var recorded = task;
            if (task.State == TaskState.Success && last is { State: AttemptState.Success, Output: { } output })
            {
                // Outputs of every succeeded task, also those a test does not include.
                if (TaskOutputs.TryParseRecorded(output) is { } element)
                {
                    Outputs[task.TaskId] = element;
                }
                else
                {
                    // Written masked by an earlier version (`***` inside a number): run the task again rather than pass it on.
                    recorded = task with { State = TaskState.None, Reason = "its recorded output is not valid JSON; it runs again" };
                }
            }

            if (!scope.FollowsDependencies)
            {
                continue; // a test runs its tasks whatever they did before
            }

            if (recorded.State is TaskState.Success or TaskState.Skipped)
            {
                States[i] = recorded.State;
                Reasons[i] = recorded.Reason;
            }
            else if (last is { State: AttemptState.Starting or AttemptState.Running } && scope.Includes(task.TaskId))
            {
                Adopt.Add((i, last));
            }
            else if (task.State != TaskState.None)
            {
                Batch.Tasks.Add((graph.Dag.Id, runId, task with { State = TaskState.None, Reason = null, UpdatedAt = now }));
            }
        }
    }

    // What the runtime still has that no one will adopt: ended attempts (their end is recorded; a host died before
    // it forgot them), and attempts the store never recorded (a test run's).
    private void ForgetLeftovers(IReadOnlyList<AttemptRecord> attempts, IReadOnlyList<Leftover> leftovers)
    {
        var live = attempts.Where(a => a.State is AttemptState.Starting or AttemptState.Running)
            .Select(a => (a.TaskId, a.TryNumber))
            .ToHashSet();
        foreach (var leftover in leftovers)
        {
            if (!live.Contains((leftover.Attempt.TaskId, leftover.Attempt.TryNumber)))
            {
                Forget.Add(leftover.Attempt);
            }
        }
    }

    private static void CheckRuntime(RunGraph graph, RunContext run, List<(int Task, AttemptRecord Attempt)> adopt, string recordedRuntime, string runtime)
    {
        var elsewhere = adopt
            .Select(a => (Task: graph.Tasks[a.Task].Id, Runtime: a.Attempt.Runtime ?? recordedRuntime))
            .Where(a => a.Runtime != runtime)
            .ToList();
        if (elsewhere.Count > 0)
        {
            throw new RuntimeMismatchException(graph.Dag.Id, run.RunId, runtime, [.. elsewhere]);
        }
    }
}

/// <summary>
/// A run cannot resume on this runtime: attempts that another runtime started are still recorded as running, and this
/// one cannot reach them — it would run them a second time. Nothing was started.
/// </summary>
public sealed class RuntimeMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RuntimeMismatchException(string dagId, string runId, string runtime, IReadOnlyList<(string Task, string Runtime)> attempts)
        : base(Describe(dagId, runId, runtime, attempts))
    {
        Attempts = attempts;
    }

    /// <summary>The tasks whose live attempt another runtime started, and which runtime.</summary>
    public IReadOnlyList<(string Task, string Runtime)> Attempts { get; }

    private static string Describe(string dagId, string runId, string runtime, IReadOnlyList<(string Task, string Runtime)> attempts)
    {
        var byRuntime = attempts.GroupBy(a => a.Runtime, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var what = string.Join("; ", byRuntime.Select(g => $"the {g.Key} runtime started {string.Join(", ", g.Select(a => $"'{a.Task}'"))}"));
        var first = byRuntime[0].Key;
        return $"DAG '{dagId}' run {runId} cannot resume on the {runtime} runtime: {what}, still recorded as running, and the {runtime} runtime " +
            $"cannot reach {(attempts.Count == 1 ? "it" : "them")} — it would run {(attempts.Count == 1 ? "it" : "them")} twice. Resume with --runtime {first}; " +
            $"or stop {(attempts.Count == 1 ? "it" : "them")} there yourself and clear {(attempts.Count == 1 ? "the task" : "the tasks")} ('clear {dagId} --date … " +
            $"{string.Join(" ", attempts.Select(a => "--task " + a.Task))}').";
    }
}
