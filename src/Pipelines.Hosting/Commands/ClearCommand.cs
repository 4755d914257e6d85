using System.CommandLine;
using Pipelines.Environments;
using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.Rendering;
using Pipelines.Text;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// <c>clear DAG --date D --task T [--downstream] [--state FILE]</c>: resets tasks of a run so the
/// next <c>run</c> runs them again. Try numbers keep counting: a cleared task's next try is new. An attempt still
/// recorded as running is recorded as failed ("cleared"): the next run starts a new one instead of adopting it — the way
/// on when its runtime is gone (the attempt itself is not stopped: stop it there first).
/// </summary>
internal static class ClearCommand
{
    public static Command Create(HostContext context)
    {
        var dag = CommonOptions.DagArgument("The DAG.");
        var date = CommonOptions.Date();
        var task = new Option<string[]>("--task") { Description = "A task to reset (repeatable).", Required = true, Arity = ArgumentArity.OneOrMore };
        var downstream = new Option<bool>("--downstream") { Description = "Also reset every task downstream of them." };
        var state = CommonOptions.State();
        var command = new Command("clear", "Reset tasks of a run so the next run redoes them.") { dag, date, task, downstream, state };
        command.SetAction(result => Run(context, result.GetValue(dag)!, result.GetValue(date), result.GetValue(task)!, result.GetValue(downstream), result.GetValue(state)));
        return command;
    }

    private static int Run(HostContext context, string dagId, RunDate date, string[] taskIds, bool downstream, string? statePath)
    {
        var dag = context.ValidDagOrReport(dagId);
        if (dag is null)
        {
            return ExitCodes.UsageError;
        }

        foreach (var id in taskIds)
        {
            if (!dag.TryGetTask(id, out _))
            {
                context.Error.WriteLine($"DAG '{dag.Id}' has no task '{id}'; its tasks: {NameList.Some(dag.Tasks.Select(t => t.Id), id)}");
                return ExitCodes.UsageError;
            }
        }

        if (date.Resolve(dag, out var dateError) is not { } logical)
        {
            context.Error.WriteLine(dateError);
            return ExitCodes.UsageError;
        }

        var runId = RunContext.Create(dag, logical, EnvironmentConfig.DefaultLocal).RunId;
        using var store = RunsCommand.OpenExisting(context, statePath, out var missing);
        if (store is null && !missing)
        {
            return ExitCodes.UsageError; // OpenExisting said why
        }

        var run = store?.FindRun(dag.Id, runId);
        if (store is null || run is null)
        {
            context.Error.WriteLine($"DAG '{dag.Id}' has no run for {date}; nothing to clear.");
            return ExitCodes.UsageError;
        }

        using var runLock = store.TryLockRun(dag.Id, runId, out var holder);
        if (runLock is null)
        {
            context.Error.WriteLine($"DAG '{dag.Id}' for {date} is running ({holder}); stop it before clearing.");
            return ExitCodes.UsageError;
        }

        var clear = new HashSet<string>(taskIds, StringComparer.Ordinal);
        var work = new Stack<string>(taskIds);
        while (downstream && work.Count > 0)
        {
            foreach (var d in dag.Downstream(work.Pop()))
            {
                if (clear.Add(d))
                {
                    work.Push(d);
                }
            }
        }

        var now = DateTimeOffset.UtcNow;
        var known = store.LoadTasks(dag.Id, runId).ToDictionary(t => t.TaskId, StringComparer.Ordinal);
        var batch = new StoreBatch();
        batch.Runs.Add(run with { State = RunState.Running, EndedAt = null });
        foreach (var id in dag.TopologicalOrder.Where(clear.Contains))
        {
            var tryNumber = known.TryGetValue(id, out var record) ? record.TryNumber : 0;
            batch.Tasks.Add((dag.Id, runId, new TaskInstanceRecord(id, TaskState.None, tryNumber, "cleared", now)));
        }

        var live = store.LoadAttempts(dag.Id, runId).Where(a => clear.Contains(a.TaskId) && a.State is AttemptState.Starting or AttemptState.Running).ToList();
        foreach (var attempt in live)
        {
            batch.Attempts.Add((dag.Id, runId, attempt with
            {
                State = AttemptState.Failed,
                EndedAt = now,
                Reason = $"cleared while recorded as running on the {attempt.Runtime ?? run.Runtime} runtime; Pipelines did not stop it",
            }));
        }

        store.Commit(batch);
        context.Out.WriteLine($"Cleared {clear.Count} task(s) of {dag.Id} {runId}: {string.Join(", ", dag.TopologicalOrder.Where(clear.Contains))}. The next 'run' runs them again.");
        foreach (var attempt in live)
        {
            context.Out.WriteLine($"  {attempt.TaskId} try {attempt.TryNumber} was recorded as running on the {attempt.Runtime ?? run.Runtime} runtime; it is not adopted any more — if it still runs there, stop it there.");
        }

        return ExitCodes.Success;
    }
}
