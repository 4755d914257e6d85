using System.CommandLine;
using System.Globalization;
using Pipelines.Execution;
using Pipelines.Hosting.Running;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// <c>backfill DAG --from D --to D [--max-active-runs N] [--runtime …] [--env NAME] [--param k=v]… [--state FILE]</c>: one
/// run per scheduled logical date in the range (a cron schedule gives several a day), as Airflow's backfill does, up to
/// N at once (the DAG's <c>MaxActiveRuns</c> when not given). Each run resumes like <c>run</c>, so running the same
/// backfill again redoes only what failed. Every line is marked with its run's logical date; exit 1 when any run failed.
/// </summary>
internal static class BackfillCommand
{
    public static Command Create(HostContext context)
    {
        var dag = CommonOptions.DagArgument("The DAG to backfill.");
        var from = CommonOptions.Date("--from", "The first logical date of the range (inclusive).");
        var to = CommonOptions.Date("--to", "The last logical date of the range (inclusive).");
        var maxRuns = new Option<int?>("--max-active-runs")
        {
            Description = "At most this many runs at once, 1 or more (default: the DAG's max active runs).",
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1)
                {
                    return n;
                }

                result.AddError($"--max-active-runs '{text}' is not a run count; write a whole number from 1.");
                return null;
            },
        };
        var runtime = RunCommand.Runtime(context);
        var environment = CommonOptions.Environment();
        var parameters = CommonOptions.Params();
        var maxActive = CommonOptions.MaxActive();
        var state = CommonOptions.State();
        var command = new Command("backfill", "Run a DAG for every scheduled logical date in a range; a re-run redoes only what failed.")
        {
            dag, from, to, maxRuns, runtime, environment, parameters, maxActive, state,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            context,
            result.GetValue(dag)!,
            result.GetValue(from),
            result.GetValue(to),
            result.GetValue(maxRuns),
            new RunRequest(result.GetValue(dag)!, default, result.GetValue(environment), result.GetValue(parameters)!, result.GetValue(runtime), result.GetValue(maxActive), Plain: true, result.GetValue(state), RunScope.All, Records: true, RunKind: "backfill"),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(HostContext context, string dagId, RunDate from, RunDate to, int? maxRuns, RunRequest template, CancellationToken cancellationToken)
    {
        if (context.ValidDagOrReport(dagId) is not { } dag)
        {
            return ExitCodes.UsageError;
        }

        if (!dag.Schedule.IsRecurring)
        {
            context.Error.WriteLine($"DAG '{dag.Id}' has no recurring schedule ({dag.Schedule}), so no dates to backfill; run it with 'run {dag.Id} --date D'.");
            return ExitCodes.UsageError;
        }

        var first = from.Resolve(dag, out var fromError);
        var last = to.Resolve(dag, out var toError);
        if (first is null || last is null)
        {
            context.Error.WriteLine((fromError ?? toError)!.Replace("--date", first is null ? "--from" : "--to", StringComparison.Ordinal));
            return ExitCodes.UsageError;
        }

        if (last < first)
        {
            context.Error.WriteLine($"--to '{to}' is before --from '{from}'; write the range's first date after --from.");
            return ExitCodes.UsageError;
        }

        var ticks = dag.Schedule.Occurrences(first.Value, last.Value)
            .Where(t => (dag.StartDate is not { } s || t >= s) && (dag.EndDate is not { } e || t <= e))
            .ToList();
        if (ticks.Count == 0)
        {
            context.Error.WriteLine($"DAG '{dag.Id}' ({dag.Schedule}) has no scheduled logical date from {from} to {to}{(dag.StartDate is { } start ? $" on or after its start date {RunDate.Iso(start)}" : string.Empty)}; nothing to backfill.");
            return ExitCodes.UsageError;
        }

        var limit = maxRuns ?? dag.MaxActiveRuns;
        context.Out.WriteLine($"Backfill of {dag.Id}: {ticks.Count} run(s) from {RunDate.Iso(ticks[0])} to {RunDate.Iso(ticks[^1])}, {Math.Min(limit, ticks.Count)} at once.");
        var output = TextWriter.Synchronized(context.Out);
        var errors = TextWriter.Synchronized(context.Error);
        using var gate = new SemaphoreSlim(limit);
        var runs = ticks.Select(async tick =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var mark = $"[{RunDate.Iso(tick)}] ";
                using var runOut = new LinePrefixWriter(output, mark);
                using var runError = new LinePrefixWriter(errors, mark);
                var request = template with { DagId = dag.Id, Date = RunDate.At(tick) };
                return (Tick: tick, Exit: await RunCommand.RunAsync(context.WritingTo(runOut, runError), request, cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        var results = await Task.WhenAll(runs).ConfigureAwait(false);

        var failed = results.Where(r => r.Exit == ExitCodes.TaskFailed).ToList();
        context.Out.WriteLine($"Backfill of {dag.Id}: {results.Count(r => r.Exit == ExitCodes.Success)} succeeded, {failed.Count} failed, {results.Count(r => r.Exit is not (ExitCodes.Success or ExitCodes.TaskFailed))} not run or stopped, of {results.Length}.");
        foreach (var (tick, _) in failed)
        {
            context.Out.WriteLine($"  failed: {RunDate.Iso(tick)} (backfill again to redo what failed)");
        }

        // The most telling exit: a stop signal's, else a usage or store error's, else a failure's.
        var exits = results.Select(r => r.Exit).ToList();
        if (exits.FirstOrDefault(e => e is ExitCodes.Interrupted or ExitCodes.Terminated) is var signal and not 0)
        {
            return signal;
        }

        if (exits.FirstOrDefault(e => e is not (ExitCodes.Success or ExitCodes.TaskFailed)) is var other and not 0)
        {
            return other;
        }

        return failed.Count > 0 ? ExitCodes.TaskFailed : ExitCodes.Success;
    }

}
