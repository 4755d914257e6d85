using Pipelines.Validation;

namespace Pipelines;

/// <summary>
/// Declares a DAG. <see cref="Build"/> validates everything at once and returns the immutable
/// <see cref="Dag"/>, or throws one <see cref="PipelineDefinitionException"/> that lists every
/// problem with its task and field. A builder builds once.
/// </summary>
public sealed class DagBuilder
{
    private readonly List<TaskBuilder> _tasks = [];
    private readonly List<(string Upstream, string Downstream)> _edges = [];
    private readonly List<DagParam> _params = [];
    private readonly List<Action<TaskBuilder>> _defaults = [];
    private string? _id;
    private string? _description;
    private string? _schedule;
    private string? _timeZone;
    private DateOnly? _startDate;
    private DateTimeOffset? _startInstant;
    private DateOnly? _endDate;
    private bool _catchup;
    private int _maxActiveRuns = 16;
    private Callbacks _callbacks = Callbacks.None;
    private int _maxActiveTasks = 16;
    private bool _built;

    /// <summary>The DAG id: letters, digits, <c>_</c>, <c>.</c> and <c>-</c>.</summary>
    public DagBuilder Id(string id)
    {
        EnsureOpen();
        _id = id ?? throw new ArgumentNullException(nameof(id));
        return this;
    }

    /// <summary>What the DAG does, shown by <c>list</c>.</summary>
    public DagBuilder Description(string description)
    {
        EnsureOpen();
        _description = description;
        return this;
    }

    /// <summary>
    /// When the DAG runs: a five-field cron expression or a preset (<c>@hourly</c>, <c>@daily</c>,
    /// <c>@weekly</c>, <c>@monthly</c>, <c>@quarterly</c>, <c>@yearly</c>, <c>@once</c>), read in
    /// <paramref name="timeZone"/> (an IANA id; UTC when null). Without a schedule a DAG runs only when asked.
    /// </summary>
    public DagBuilder Schedule(string? cron, string? timeZone = null)
    {
        EnsureOpen();
        _schedule = cron;
        _timeZone = timeZone;
        return this;
    }

    /// <summary>The first logical date the schedule produces (midnight, in the schedule's time zone).</summary>
    public DagBuilder StartDate(int year, int month, int day) => StartDate(new DateOnly(year, month, day));

    /// <summary>The first logical date the schedule produces (midnight, in the schedule's time zone).</summary>
    public DagBuilder StartDate(DateOnly date)
    {
        EnsureOpen();
        _startDate = date;
        _startInstant = null;
        return this;
    }

    /// <summary>The first logical date the schedule produces, to the second (for schedules finer than a day).</summary>
    public DagBuilder StartDate(DateTimeOffset instant)
    {
        EnsureOpen();
        _startInstant = instant;
        _startDate = null;
        return this;
    }

    /// <summary>The last logical date the schedule produces (midnight, in the schedule's time zone); none after it.</summary>
    public DagBuilder EndDate(int year, int month, int day) => EndDate(new DateOnly(year, month, day));

    /// <summary>The last logical date the schedule produces (midnight, in the schedule's time zone); none after it.</summary>
    public DagBuilder EndDate(DateOnly date)
    {
        EnsureOpen();
        _endDate = date;
        return this;
    }

    /// <summary>
    /// Whether the scheduler runs every interval that closed while it was not running, from the start date (Airflow's
    /// <c>catchup</c>), or only the latest (the default, as in Airflow 3). <c>backfill</c> runs a range either way.
    /// </summary>
    public DagBuilder Catchup(bool catchup = true)
    {
        EnsureOpen();
        _catchup = catchup;
        return this;
    }

    /// <summary>How many runs of the DAG <c>backfill</c> and the scheduler keep going at once (16 when not set, as Airflow's default).</summary>
    public DagBuilder MaxActiveRuns(int count)
    {
        EnsureOpen();
        _maxActiveRuns = count;
        return this;
    }

    /// <summary>Declares a parameter, read in templates as <c>params.NAME</c>; runs may override it.</summary>
    /// <param name="name">The parameter name.</param>
    /// <param name="defaultValue">A string, integer, floating-point number or bool.</param>
    /// <param name="description">What it means.</param>
    public DagBuilder Param(string name, object defaultValue, string? description = null)
    {
        EnsureOpen();
        ArgumentNullException.ThrowIfNull(name);
        var value = defaultValue switch
        {
            int i => (object)(long)i,
            float f => (double)f,
            string or long or double or bool => defaultValue,
            null => throw new ArgumentNullException(nameof(defaultValue)),
            _ => throw new ArgumentException(
                $"Parameter '{name}' has a default of type {defaultValue.GetType().Name}; use a string, integer, floating-point number or bool.",
                nameof(defaultValue)),
        };
        _params.RemoveAll(p => p.Name == name);
        _params.Add(new DagParam(name, value, description));
        return this;
    }

    /// <summary>How many tasks of one run may run at once (default 16).</summary>
    public DagBuilder MaxActiveTasks(int count)
    {
        EnsureOpen();
        _maxActiveTasks = count;
        return this;
    }

    /// <summary>
    /// Settings every task starts from, such as retries or common environment variables. They are
    /// applied to each task before its own settings, so a task's own call wins; each task gets its
    /// own copy. Call it before or after declaring tasks — it applies to all of them.
    /// </summary>
    public DagBuilder TaskDefaults(Action<TaskBuilder> configure)
    {
        EnsureOpen();
        ArgumentNullException.ThrowIfNull(configure);
        _defaults.Add(configure);
        return this;
    }

    /// <summary>Calls <paramref name="callback"/> when a run of the DAG succeeds (Airflow's DAG <c>on_success_callback</c>).</summary>
    public DagBuilder OnSuccess(Callback callback) => On(CallbackEvent.Success, callback);

    /// <inheritdoc cref="OnSuccess(Callback)" />
    public DagBuilder OnSuccess(Action<CallbackContext> callback) => On(CallbackEvent.Success, Callbacks.FromAction(callback));

    /// <summary>
    /// Calls <paramref name="callback"/> when a run of the DAG fails, with the failed tasks (Airflow's DAG
    /// <c>on_failure_callback</c>). A cancelled run calls no run callback: resumed, it ends in success or failure.
    /// </summary>
    public DagBuilder OnFailure(Callback callback) => On(CallbackEvent.Failure, callback);

    /// <inheritdoc cref="OnFailure(Callback)" />
    public DagBuilder OnFailure(Action<CallbackContext> callback) => On(CallbackEvent.Failure, Callbacks.FromAction(callback));

    /// <summary>Calls <paramref name="callback"/> whenever a task of the DAG goes up for retry, after the task's own.</summary>
    public DagBuilder OnRetry(Callback callback) => On(CallbackEvent.Retry, callback);

    /// <inheritdoc cref="OnRetry(Callback)" />
    public DagBuilder OnRetry(Action<CallbackContext> callback) => On(CallbackEvent.Retry, Callbacks.FromAction(callback));

    private DagBuilder On(CallbackEvent @event, Callback callback)
    {
        EnsureOpen();
        ArgumentNullException.ThrowIfNull(callback);
        _callbacks = _callbacks.With(@event, callback);
        return this;
    }

    /// <summary>Declares a container task running <paramref name="image"/>.</summary>
    public TaskBuilder Container(string id, string image)
    {
        EnsureOpen();
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(image);
        var task = new TaskBuilder(this, id, image);
        _tasks.Add(task);
        return task;
    }

    internal void AddEdge(string upstream, string downstream)
    {
        EnsureOpen();
        _edges.Add((upstream, downstream));
    }

    internal void EnsureOpen()
    {
        if (_built)
        {
            throw new InvalidOperationException($"DAG '{_id}' is already built; a DagBuilder builds once.");
        }
    }

    /// <summary>
    /// Validates the whole definition and returns the immutable DAG.
    /// </summary>
    /// <exception cref="PipelineDefinitionException">Lists every problem found, each with task and field.</exception>
    public Dag Build()
    {
        EnsureOpen();
        _built = true;

        var defaults = new TaskBuilder(null, string.Empty, string.Empty);
        foreach (var configure in _defaults)
        {
            configure(defaults);
        }

        var upstream = new Dictionary<string, List<string>>(_tasks.Count, StringComparer.Ordinal);
        foreach (var (from, to) in _edges)
        {
            if (!upstream.TryGetValue(to, out var list))
            {
                upstream[to] = list = [];
            }

            if (!list.Contains(from))
            {
                list.Add(from);
            }
        }

        var tasks = ImmutableArray.CreateBuilder<ContainerTask>(_tasks.Count);
        foreach (var builder in _tasks)
        {
            var draft = new TaskDraft(builder.Id, builder.Image);
            foreach (var setting in defaults.Settings)
            {
                setting(draft);
            }

            foreach (var setting in builder.Settings)
            {
                setting(draft);
            }

            tasks.Add(draft.ToTask(upstream.TryGetValue(builder.Id, out var ups) ? [.. ups] : []));
        }

        var definition = new DagDefinition(
            _id ?? string.Empty, _description, _schedule, _timeZone, _startDate, [.. _params], _maxActiveTasks, tasks.MoveToImmutable(), _endDate, _catchup, _maxActiveRuns, _startInstant, _callbacks);
        return DagValidator.Validate(definition);
    }
}
