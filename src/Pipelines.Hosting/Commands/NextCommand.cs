using System.CommandLine;
using System.Globalization;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// <c>next DAG [--count N]</c>: the next runs the DAG's schedule makes — each logical date, its data interval and when the
/// run is due (when the interval ends) — from now, within its start and end dates (Airflow's <c>dags next-execution</c>).
/// </summary>
internal static class NextCommand
{
    public static Command Create(HostContext context)
    {
        var dag = CommonOptions.DagArgument("The DAG.");
        var count = new Option<int>("--count")
        {
            Description = "How many runs to show, 1 to 1000 (default 5).",
            DefaultValueFactory = _ => 5,
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1000)
                {
                    return n;
                }

                result.AddError($"--count '{text}' is not a count of runs; write a whole number from 1 to 1000.");
                return 0;
            },
        };
        var command = new Command("next", "Show the next runs a DAG's schedule makes: logical dates, data intervals, when each is due.") { dag, count };
        command.SetAction(result => Run(context, result.GetValue(dag)!, result.GetValue(count)));
        return command;
    }

    private static int Run(HostContext context, string dagId, int count)
    {
        if (context.ValidDagOrReport(dagId) is not { } dag)
        {
            return ExitCodes.UsageError;
        }

        var bounds = (dag.StartDate is { } s ? $", from {RunDate.Iso(s)}" : string.Empty) + (dag.EndDate is { } e ? $", until {RunDate.Iso(e)}" : string.Empty);
        context.Out.WriteLine($"{dag.Id}: {dag.Schedule}{bounds}, catchup {(dag.Catchup ? "on" : "off")}");
        var runs = dag.NextRuns(context.Time.GetUtcNow(), count).ToList();
        if (runs.Count == 0)
        {
            context.Out.WriteLine(dag.Schedule.Expression is null
                ? "No schedule: it runs only when asked ('run DAG --date D')."
                : "No more runs: its schedule has none after now within its dates.");
            return ExitCodes.Success;
        }

        context.Out.WriteLine($"{"LOGICAL DATE",-27} {"DATA INTERVAL",-55} DUE");
        foreach (var run in runs)
        {
            context.Out.WriteLine($"{RunDate.Iso(run.Start),-27} {RunDate.Iso(run.Start) + " → " + RunDate.Iso(run.End),-55} {RunDate.Iso(run.End)}");
        }

        return ExitCodes.Success;
    }

}
