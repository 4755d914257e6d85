using System.Diagnostics;
using System.Globalization;
using Pipelines.Execution;
using Pipelines.Execution.State;
using Spectre.Console;

namespace Pipelines.Hosting.Running;

/// <summary>
/// The live view on a terminal: the tasks that matter now — running, waiting to retry, failed, then the
/// latest to finish — with state, try, duration and last log line, as many as the terminal has room for;
/// a count per state and a progress bar for all of them. Redrawn a few times a second while the run goes.
/// A DAG that fits is shown whole, in its order. A frame costs the same whatever the size of the DAG: a
/// 5,000-task run draws as few rows as a 40-task one, so the view never slows the run it shows.
/// </summary>
internal sealed class LiveProgress : IRunObserver
{
    private const int MaxRoom = 40;

    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(200);

    private readonly Dag _dag;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Row> _rows;
    private readonly int[] _counts = new int[Enum.GetValues<TaskState>().Length];

    // What a frame may show, kept as states change so that a frame never looks at every task: the
    // running, those waiting to retry, the failed, and the latest to finish otherwise (a bounded queue).
    private readonly HashSet<Row> _active = [];
    private readonly List<Row> _failed = [];
    private readonly LinkedList<Row> _recent = new();
    private long _sequence;

    public LiveProgress(Dag dag)
    {
        _dag = dag;
        _rows = dag.Tasks.ToDictionary(t => t.Id, t => new Row(t.Id), StringComparer.Ordinal);
        _counts[(int)TaskState.None] = _rows.Count;
    }

    public void TaskChanged(string taskId, TaskState state, int tryNumber, string? reason)
    {
        lock (_gate)
        {
            var row = _rows[taskId];
            if (state == TaskState.Running)
            {
                row.Started = Stopwatch.GetTimestamp();
                row.Ended = null;
            }

            if (state.IsFinished() || state == TaskState.UpForRetry)
            {
                row.Ended = Stopwatch.GetTimestamp();
            }

            _counts[(int)row.State]--;
            _counts[(int)state]++;
            row.State = state;
            row.Try = tryNumber;
            row.Reason = reason;
            row.Changed = ++_sequence;
            Place(row);
        }
    }

    /// <summary>What the run noticed (a callback that failed), shown after the live view.</summary>
    public List<string> Notices { get; } = [];

    public void Notice(string message)
    {
        lock (_gate)
        {
            Notices.Add(message);
        }
    }

    public void Log(string taskId, int tryNumber, string line)
    {
        lock (_gate)
        {
            _rows[taskId].LastLine = line;
        }
    }

    // Moves a row to the collection its state belongs to.
    private void Place(Row row)
    {
        _active.Remove(row);
        if (row.Recent is { } node)
        {
            _recent.Remove(node);
            row.Recent = null;
        }

        switch (row.State)
        {
            case TaskState.Running or TaskState.UpForRetry:
                _active.Add(row);
                break;
            case TaskState.Failed or TaskState.UpstreamFailed:
                _failed.Add(row);
                break;
            case TaskState.Success or TaskState.Skipped or TaskState.Cancelled:
                row.Recent = _recent.AddFirst(row);
                if (_recent.Count > MaxRoom)
                {
                    _recent.Last!.Value.Recent = null;
                    _recent.RemoveLast();
                }

                break;
        }
    }

    /// <summary>Redraws until <paramref name="run"/> ends.</summary>
    public async Task ShowAsync(IAnsiConsole console, Task run)
    {
        var room = Math.Clamp(console.Profile.Height - 8, 5, MaxRoom);
        await console.Live(Render(room)).AutoClear(false).StartAsync(async context =>
        {
            while (!run.IsCompleted)
            {
                context.UpdateTarget(Render(room));
                await Task.WhenAny(run, Task.Delay(Frame)).ConfigureAwait(false);
            }

            context.UpdateTarget(Render(room));
        }).ConfigureAwait(false);
    }

    /// <summary>One frame: at most <paramref name="room"/> rows, the ones that matter now first.</summary>
    internal Table Render(int room)
    {
        List<RowView> shown;
        int[] counts;
        lock (_gate)
        {
            counts = (int[])_counts.Clone();
            shown = _rows.Count <= room
                ? [.. _dag.TopologicalOrder.Select(id => _rows[id].View())] // all of a small DAG, in its order
                : [.. _active.OrderBy(r => Importance(r.State)).ThenByDescending(r => r.Changed)
                .Concat(_failed.Where(r => r.State is TaskState.Failed or TaskState.UpstreamFailed).Reverse())
                .Concat(_recent)
                .Take(room)
                .Select(r => r.View())];
        }

        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(_dag.Id)}[/]");
        table.AddColumns("Task", "State", "Try", "Duration", "Last line");
        foreach (var row in shown)
        {
            table.AddRow(
                Markup.Escape(row.Id),
                $"[{Color(row.State)}]{row.State.ToAirflowName()}[/]",
                row.Try == 0 ? "" : row.Try.ToString(CultureInfo.InvariantCulture),
                row.Duration is { } d ? d.ToString(@"mm\:ss", CultureInfo.InvariantCulture) : "",
                Markup.Escape(Truncate(row.Reason ?? row.LastLine ?? "", 60)));
        }

        var total = _rows.Count;
        var done = Enum.GetValues<TaskState>().Where(s => s.IsFinished()).Sum(s => counts[(int)s]);
        var width = 30;
        var filled = total == 0 ? width : done * width / total;
        var states = string.Join(" · ", Enum.GetValues<TaskState>()
            .Where(s => s is not TaskState.None && counts[(int)s] > 0)
            .Select(s => $"{counts[(int)s]} {s.ToAirflowName()}"));
        var hidden = total - shown.Count - counts[(int)TaskState.None] - counts[(int)TaskState.Queued];
        var more = hidden > 0 ? $" · {hidden} more not shown" : "";
        table.Caption($"[green]{new string('█', filled)}[/][grey]{new string('░', width - filled)}[/] {done}/{total} done{(states.Length > 0 ? " · " + states : "")}{more}");
        return table;
    }

    // Running first, then waiting to retry.
    private static int Importance(TaskState state) => state == TaskState.Running ? 0 : 1;

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

    private readonly record struct RowView(string Id, TaskState State, int Try, TimeSpan? Duration, string? Reason, string? LastLine);

    private sealed class Row(string id)
    {
        public TaskState State { get; set; } = TaskState.None;

        public int Try { get; set; }

        public long? Started { get; set; }

        public long? Ended { get; set; }

        public string? Reason { get; set; }

        public string? LastLine { get; set; }

        public long Changed { get; set; }

        public LinkedListNode<Row>? Recent { get; set; }

        public RowView View() => new(
            id,
            State,
            Try,
            Started is { } start ? Stopwatch.GetElapsedTime(start, Ended ?? Stopwatch.GetTimestamp()) : null,
            Reason,
            LastLine);
    }
}
