using System.CommandLine;
using Pipelines.Execution.State;
using Pipelines.Hosting.Reports;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// <c>report DAG --date D --html FILE [--state FILE]</c>: writes one run as a self-contained HTML page (<see cref="RunReport"/>):
/// the graph coloured by task state, a Gantt chart of its attempts, each task's output and log tail. The run is the one of
/// that logical date (a manual run's first, else the latest of a backfill or the scheduler).
/// </summary>
internal static class ReportCommand
{
    public static Command Create(HostContext context)
    {
        var dag = CommonOptions.DagArgument("The DAG.");
        var date = CommonOptions.Date();
        var html = new Option<string>("--html") { Description = "The HTML file to write.", Required = true };
        var state = CommonOptions.State();
        var command = new Command("report", "Write a run as one self-contained HTML page: graph, Gantt chart, outputs, log tails.") { dag, date, html, state };
        command.SetAction(result => Run(context, result.GetValue(dag)!, result.GetValue(date), result.GetValue(html)!, result.GetValue(state)));
        return command;
    }

    private static int Run(HostContext context, string dagId, RunDate date, string htmlPath, string? statePath)
    {
        if (context.ValidDagOrReport(dagId) is not { } dag)
        {
            return ExitCodes.UsageError;
        }

        if (date.Resolve(dag, out var dateError) is not { } logical)
        {
            context.Error.WriteLine(dateError);
            return ExitCodes.UsageError;
        }

        using var store = RunsCommand.OpenExisting(context, statePath, out var missing);
        var runs = store?.ListRuns(dag.Id).Where(r => r.LogicalDate == logical).ToList() ?? [];
        if (store is null || runs.Count == 0)
        {
            if (store is not null || missing)
            {
                context.Error.WriteLine($"DAG '{dag.Id}' has no run for {date}; run it first ('run {dag.Id} --date {date}').");
            }

            return ExitCodes.UsageError;
        }

        var run = runs.FirstOrDefault(r => r.RunId.StartsWith("manual__", StringComparison.Ordinal)) ?? runs.MaxBy(r => r.StartedAt)!;
        var page = RunReport.Render(dag, run, store.LoadTasks(dag.Id, run.RunId), store.LoadAttempts(dag.Id, run.RunId), Tail);
        var path = Path.GetFullPath(htmlPath, context.Config?.RootDirectory ?? Environment.CurrentDirectory);
        var temporary = path + ".tmp";
        try
        {
            File.WriteAllText(temporary, page);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"The report cannot be written to {path}: {ex.Message}");
            return ExitCodes.Failure;
        }

        context.Out.WriteLine($"Wrote the report of {dag.Id} {run.RunId} ({run.State.ToAirflowName()}) to {path}.");
        return ExitCodes.Success;
    }

    private static IReadOnlyList<string> Tail(AttemptRecord attempt)
    {
        try
        {
            return attempt.LogPath is { } log && File.Exists(log) ? [.. File.ReadLines(log).TakeLast(RunReport.LogTail)] : [];
        }
        catch (IOException)
        {
            return [];
        }
    }
}
