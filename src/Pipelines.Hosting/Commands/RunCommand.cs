using System.CommandLine;
using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.Hosting.Running;
using Pipelines.Text;
using Spectre.Console;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// <c>run DAG --date D [--runtime …] [--env NAME] [--param k=v]… [--max-active N] [--plain] [--state FILE]</c>:
/// runs (or resumes) a DAG for a logical date with live progress; exit 0 when every task
/// succeeded, 1 when one failed, 2 when the parameters differ from the run's recorded ones, 74 when the
/// run's state could not be written, 130/143 when stopped.
/// </summary>
internal static class RunCommand
{
    public static Command Create(HostContext context)
    {
        var dag = CommonOptions.DagArgument("The DAG to run.");
        var date = CommonOptions.Date();
        var runtime = Runtime(context);
        var environment = CommonOptions.Environment();
        var parameters = CommonOptions.Params();
        var maxActive = CommonOptions.MaxActive();
        var plain = new Option<bool>("--plain") { Description = "One line per event instead of the live view." };
        var state = CommonOptions.State();
        var command = new Command("run", "Run a DAG for a logical date; a re-run resumes it.") { dag, date, runtime, environment, parameters, maxActive, plain, state };
        command.SetAction((result, cancellationToken) => RunAsync(
            context,
            new RunRequest(
                result.GetValue(dag)!,
                result.GetValue(date),
                result.GetValue(environment),
                result.GetValue(parameters)!,
                result.GetValue(runtime),
                result.GetValue(maxActive),
                result.GetValue(plain),
                result.GetValue(state),
                RunScope.All,
                Records: true),
            cancellationToken));
        return command;
    }

    public static Option<string?> Runtime(HostContext context)
    {
        var runtime = new Option<string?>("--runtime") { Description = $"{string.Join(", ", context.RuntimeNames)} (default: the environment's)." };
        runtime.AcceptOnlyFromAmong([.. context.RuntimeNames]);
        return runtime;
    }

    public static async Task<int> RunAsync(HostContext context, RunRequest request, CancellationToken cancellationToken)
    {
        var dag = context.ValidDagOrReport(request.DagId);
        if (dag is null)
        {
            return ExitCodes.UsageError;
        }

        if (request.Scope.Tasks?.FirstOrDefault(t => !dag.TryGetTask(t, out _)) is { } unknown)
        {
            context.Error.WriteLine($"DAG '{dag.Id}' has no task '{unknown}'; its tasks: {NameList.Some(dag.Tasks.Select(t => t.Id), unknown)}");
            return ExitCodes.UsageError;
        }

        using var setup = await RunLauncher.PrepareAsync(context, dag, request, cancellationToken).ConfigureAwait(false);
        if (setup is null)
        {
            return ExitCodes.UsageError;
        }

        // A test reads a copy of the recorded run and writes nothing back.
        using var copy = request.Records ? null : StoreCopy.Of(setup.Store, dag.Id, setup.Run.RunId);
        var runStore = copy ?? setup.Store;
        using var runLock = runStore.TryLockRun(dag.Id, setup.Run.RunId, out var holder);
        if (runLock is null)
        {
            context.Error.WriteLine($"DAG '{dag.Id}' for {request.Date} is already running ({holder}); wait for it, or stop it first.");
            return ExitCodes.UsageError;
        }

        var recorded = runStore.FindRun(dag.Id, setup.Run.RunId);
        // A test records nothing, so it may try other values; a run would mix them with the recorded ones.
        if (request.Records && recorded is not null && RecordedParams.Refusal(dag, recorded, setup.Run) is { } refusal)
        {
            context.Error.WriteLine(refusal);
            return ExitCodes.UsageError;
        }

        context.Out.WriteLine(setup.RuntimeLine);
        var resumed = recorded is not null && request.Records;
        context.Out.WriteLine($"{(request.Records ? "Run" : "Test")} {setup.Run.RunId} of {dag.Id}{(resumed ? " (resuming: succeeded tasks are kept)" : string.Empty)}; store {runStore.Location}");

        using var signals = new StopSignals();
        var executor = new Executor(setup.Runtime, runStore, TimeProvider.System, setup.Options);
        var live = !request.Plain && ReferenceEquals(context.Out, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        RunOutcome outcome;
        try
        {
            if (live)
            {
                var view = new LiveProgress(dag);
                var running = executor.RunAsync(setup.Run, view, signals.Token);
                try
                {
                    await view.ShowAsync(AnsiConsole.Console, running).ConfigureAwait(false);
                    outcome = await running.ConfigureAwait(false);
                }
                finally
                {
                    foreach (var notice in view.Notices)
                    {
                        context.Error.WriteLine("warning: " + notice);
                    }
                }
            }
            else
            {
                outcome = await executor.RunAsync(setup.Run, new PlainProgress(context.Out, TimeProvider.System), signals.Token).ConfigureAwait(false);
            }
        }
        catch (PipelineDefinitionException ex)
        {
            foreach (var problem in ex.Problems)
            {
                context.Error.WriteLine($"error: {problem}");
            }

            return ExitCodes.UsageError;
        }
        catch (RuntimeMismatchException ex)
        {
            context.Error.WriteLine(ex.Message);
            return ExitCodes.UsageError;
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            // Stopped while the runtime's session opened: nothing was started.
            return signals.ExitCode ?? ExitCodes.Interrupted;
        }

        return Report(context, dag, outcome, runStore, setup, signals);
    }

    private static int Report(HostContext context, Dag dag, RunOutcome outcome, IRunStore store, RunSetup setup, StopSignals signals)
    {
        var counts = outcome.Tasks.Values.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToAirflowName()}");
        context.Out.WriteLine($"{dag.Id} {outcome.Run.RunId}: {outcome.State.ToAirflowName()} ({string.Join(", ", counts)})");
        if (outcome.State == RunState.Cancelled)
        {
            return signals.ExitCode ?? ExitCodes.Interrupted;
        }

        foreach (var (taskId, state) in outcome.Tasks.Where(t => t.Value == TaskState.Failed))
        {
            var task = store.LoadTasks(dag.Id, outcome.Run.RunId).FirstOrDefault(t => t.TaskId == taskId);
            var attempt = store.LoadAttempts(dag.Id, outcome.Run.RunId, taskId).LastOrDefault();
            context.Error.WriteLine($"✗ {taskId} failed (try {task?.TryNumber}): {task?.Reason}");
            var tail = attempt?.LogPath is { } path && File.Exists(path) ? File.ReadLines(path).TakeLast(20).ToList() : [];
            if (tail.Count > 0)
            {
                context.Error.WriteLine($"  last {tail.Count} log line(s) of {attempt!.LogPath}:");
                foreach (var line in tail)
                {
                    context.Error.WriteLine("  | " + setup.Masker.Mask(line));
                }
            }
        }

        return outcome.State == RunState.Success ? ExitCodes.Success : ExitCodes.TaskFailed;
    }
}
