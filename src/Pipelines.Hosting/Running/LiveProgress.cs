using System.Collections.Concurrent;
using System.Diagnostics;
using Pipelines.Execution;
using Spectre.Console;

namespace Pipelines.Hosting.Running;

/// <summary>
/// The live view on a terminal: each task's state, try and duration, its last log line, and a
/// progress bar; redrawn a few times a second while the run goes.
/// </summary>
internal sealed class LiveProgress(Dag dag) : IRunObserver
{
    private readonly ConcurrentDictionary<string, Row> _rows = new(dag.Tasks.ToDictionary(t => t.Id, _ => new Row()), StringComparer.Ordinal);

    public void TaskChanged(string taskId, TaskState state, int tryNumber, string? reason)
    {
        var row = _rows[taskId];
        lock (row)
        {
            if (state == TaskState.Running)
            {
                row.Started = Stopwatch.GetTimestamp();
            }

            if (state.IsFinished() || state == TaskState.UpForRetry)
            {
                row.Ended = Stopwatch.GetTimestamp();
            }

            row.State = state;
            row.Try = tryNumber;
            row.Reason = reason;
        }
    }

    public void Log(string taskId, int tryNumber, string line)
    {
        var row = _rows[taskId];
        lock (row)
        {
            row.LastLine = line;
        }
    }

    /// <summary>Redraws until <paramref name="run"/> ends.</summary>
    public async Task ShowAsync(IAnsiConsole console, Task run)
    {
        await console.Live(Render()).AutoClear(false).StartAsync(async context =>
        {
            while (!run.IsCompleted)
            {
                context.UpdateTarget(Render());
                await Task.WhenAny(run, Task.Delay(200)).ConfigureAwait(false);
            }

            context.UpdateTarget(Render());
        }).ConfigureAwait(false);
    }

    private Table Render()
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(dag.Id)}[/]");
        table.AddColumns("Task", "State", "Try", "Duration", "Last line");
        var done = 0;
        foreach (var task in dag.TopologicalOrder)
        {
            var row = _rows[task];
            lock (row)
            {
                done += row.State.IsFinished() ? 1 : 0;
                var duration = row.Started is { } start ? Stopwatch.GetElapsedTime(start, row.Ended ?? Stopwatch.GetTimestamp()) : (TimeSpan?)null;
                table.AddRow(
                    Markup.Escape(task),
                    $"[{Color(row.State)}]{row.State.ToAirflowName()}[/]",
                    row.Try == 0 ? "" : row.Try.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    duration is { } d ? d.ToString(@"mm\:ss", System.Globalization.CultureInfo.InvariantCulture) : "",
                    Markup.Escape(Truncate(row.Reason ?? row.LastLine ?? "", 60)));
            }
        }

        var width = 30;
        var filled = dag.Tasks.Length == 0 ? width : done * width / dag.Tasks.Length;
        table.Caption($"[green]{new string('█', filled)}[/][grey]{new string('░', width - filled)}[/] {done}/{dag.Tasks.Length} done");
        return table;
    }

    private static string Color(TaskState state) => state switch
    {
        TaskState.Success => "green",
        TaskState.Failed or TaskState.UpstreamFailed => "red",
        TaskState.Running => "blue",
        TaskState.UpForRetry => "yellow",
        TaskState.Skipped or TaskState.Cancelled => "grey",
        _ => "default",
    };

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private sealed class Row
    {
        public TaskState State { get; set; } = TaskState.None;

        public int Try { get; set; }

        public long? Started { get; set; }

        public long? Ended { get; set; }

        public string? Reason { get; set; }

        public string? LastLine { get; set; }
    }
}
