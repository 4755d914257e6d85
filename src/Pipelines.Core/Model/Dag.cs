using Pipelines.Text;
using Pipelines.Validation;

namespace Pipelines;

/// <summary>
/// A validated, immutable DAG of container tasks. Only <c>DagBuilder.Build()</c> makes one,
/// so every <see cref="Dag"/> has unique task ids, known dependencies and no cycle.
/// </summary>
public sealed class Dag
{
    private readonly Dictionary<string, int> _index;
    private readonly ImmutableArray<ImmutableArray<string>> _downstream;

    internal Dag(
        string id,
        string? description,
        Schedule schedule,
        DateTimeOffset? startDate,
        DateTimeOffset? endDate,
        bool catchup,
        int maxActiveRuns,
        ImmutableArray<DagParam> parameters,
        int maxActiveTasks,
        ImmutableArray<ContainerTask> tasks,
        Dictionary<string, int> index,
        ImmutableArray<ImmutableArray<string>> downstream,
        ImmutableArray<string> topologicalOrder)
    {
        Id = id;
        Description = description;
        Schedule = schedule;
        StartDate = startDate;
        EndDate = endDate;
        Catchup = catchup;
        MaxActiveRuns = maxActiveRuns;
        Params = parameters;
        MaxActiveTasks = maxActiveTasks;
        Tasks = tasks;
        _index = index;
        _downstream = downstream;
        TopologicalOrder = topologicalOrder;
    }

    /// <summary>The DAG id.</summary>
    public string Id { get; }

    /// <summary>What the DAG does.</summary>
    public string? Description { get; }

    /// <summary>When it runs.</summary>
    public Schedule Schedule { get; }

    /// <summary>The first logical date a schedule produces, in the schedule's time zone.</summary>
    public DateTimeOffset? StartDate { get; }

    /// <summary>The last logical date a schedule produces, in the schedule's time zone.</summary>
    public DateTimeOffset? EndDate { get; }

    /// <summary>True when the scheduler runs every interval that closed while it was not running; false for the latest only.</summary>
    public bool Catchup { get; }

    /// <summary>How many runs of the DAG <c>backfill</c> and the scheduler keep going at once.</summary>
    public int MaxActiveRuns { get; }

    /// <summary>Declared parameters with their defaults, in declaration order.</summary>
    public ImmutableArray<DagParam> Params { get; }

    /// <summary>How many of its tasks may run at once.</summary>
    public int MaxActiveTasks { get; }

    /// <summary>The tasks in declaration order.</summary>
    public ImmutableArray<ContainerTask> Tasks { get; }

    /// <summary>The task ids in an order where every task comes after its upstream tasks.</summary>
    public ImmutableArray<string> TopologicalOrder { get; }

    /// <summary>
    /// The DAG's callbacks: <see cref="Callbacks.OnSuccess"/> and <see cref="Callbacks.OnFailure"/> when a run ends (a
    /// cancelled run calls neither), <see cref="Callbacks.OnRetry"/> whenever a task of it goes up for retry.
    /// </summary>
    public Callbacks Callbacks { get; internal init; } = Callbacks.None;

    /// <summary>
    /// The next runs the schedule makes after <paramref name="now"/>, at most <paramref name="count"/>: the interval in
    /// progress (its logical date the last tick at or before now, not before the start date), then the ones after it, up
    /// to the end date. A run is due when its interval ends. <c>@once</c> has one run, at the start date; a DAG without a
    /// schedule has none.
    /// </summary>
    public IEnumerable<DataInterval> NextRuns(DateTimeOffset now, int count)
    {
        if (!Schedule.IsRecurring)
        {
            if (Schedule.Expression == "@once" && StartDate is { } once && count > 0)
            {
                yield return new DataInterval(once, once);
            }

            yield break;
        }

        DateTimeOffset? tick = Schedule.IsTick(now) ? Schedule.InZone(now) : Schedule.Previous(now);
        if (StartDate is { } start && (tick is null || tick < start))
        {
            tick = Schedule.IsTick(start) ? start : Schedule.Next(start);
        }

        for (var i = 0; i < count && tick is { } t && (EndDate is not { } end || t <= end); i++)
        {
            var next = Schedule.Next(t);
            yield return new DataInterval(t, next ?? t);
            tick = next;
        }
    }

    /// <summary>The task with this id.</summary>
    /// <exception cref="KeyNotFoundException">No such task; the message lists the ones that exist.</exception>
    public ContainerTask this[string taskId] => TryGetTask(taskId, out var task)
        ? task
        : throw new KeyNotFoundException($"DAG '{Id}' has no task '{taskId}'; its tasks: {NameList.Some(Tasks.Select(t => t.Id), taskId)}");

    /// <summary>Finds a task by id.</summary>
    public bool TryGetTask(string taskId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ContainerTask? task)
    {
        if (_index.TryGetValue(taskId, out var i))
        {
            task = Tasks[i];
            return true;
        }

        task = null;
        return false;
    }

    /// <summary>The direct downstream task ids of a task.</summary>
    public ImmutableArray<string> Downstream(string taskId) => _downstream[_index[taskId]];

    /// <summary>The DAG's declared parameter, or null.</summary>
    public DagParam? FindParam(string name) => Params.FirstOrDefault(p => p.Name == name);
}
