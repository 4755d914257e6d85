using System.CommandLine;

namespace Pipelines.Hosting.Commands;

/// <summary><c>list</c>: the DAGs, their schedule and task count.</summary>
internal static class ListCommand
{
    public static Command Create(HostContext context)
    {
        var command = new Command("list", "List the DAGs with their schedule and task count.");
        command.SetAction(_ => Run(context));
        return command;
    }

    private static int Run(HostContext context)
    {
        var entries = context.Catalog.Entries;
        if (entries.Count == 0)
        {
            context.Out.WriteLine("No pipelines: this host defines no public IPipeline class.");
            return ExitCodes.Success;
        }

        var rows = entries.Select(e => e.Dag is { } dag
            ? (e.DagId, dag.Schedule.ToString(), dag.Tasks.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), dag.Description ?? string.Empty)
            : (e.DagId, "-", "-", $"INVALID: {e.Problems.Count} problem(s); run 'validate {e.DagId}'")).ToList();
        var header = ("DAG", "SCHEDULE", "TASKS", "DESCRIPTION");
        var w1 = rows.Select(r => r.Item1.Length).Append(header.Item1.Length).Max();
        var w2 = rows.Select(r => r.Item2.Length).Append(header.Item2.Length).Max();
        var w3 = rows.Select(r => r.Item3.Length).Append(header.Item3.Length).Max();
        foreach (var (id, schedule, tasks, description) in rows.Prepend(header))
        {
            context.Out.WriteLine($"{id.PadRight(w1)}  {schedule.PadRight(w2)}  {tasks.PadLeft(w3)}  {description}".TrimEnd());
        }

        return entries.All(e => e.IsValid) ? ExitCodes.Success : ExitCodes.UsageError;
    }
}
