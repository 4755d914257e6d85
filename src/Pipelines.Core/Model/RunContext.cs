using System.Globalization;
using Pipelines.Environments;
using Pipelines.Text;
using Pipelines.Validation;

namespace Pipelines;

/// <summary>
/// One run of a DAG: its logical date and data interval, run id, environment and the parameter
/// values after overrides — everything rendering needs that is the same for each task.
/// </summary>
public sealed record RunContext
{
    private RunContext(Dag dag, DateTimeOffset logicalDate, string runId, EnvironmentConfig environment, IReadOnlyDictionary<string, object?> parameters)
    {
        Dag = dag;
        LogicalDate = logicalDate;
        (DataIntervalStart, DataIntervalEnd) = dag.Schedule.IntervalFor(logicalDate);
        RunId = runId;
        Environment = environment;
        Params = parameters;
    }

    /// <summary>The DAG.</summary>
    public Dag Dag { get; }

    /// <summary>The logical date (start of the data interval), in the DAG's time zone.</summary>
    public DateTimeOffset LogicalDate { get; }

    /// <summary>The start of the data interval: the logical date for a scheduled tick; for a manual run between ticks, the start of the last interval that closed by then (as Airflow infers it).</summary>
    public DateTimeOffset DataIntervalStart { get; }

    /// <summary>The end of the data interval: the next tick after a scheduled logical date; for a manual run, the last tick before it.</summary>
    public DateTimeOffset DataIntervalEnd { get; }

    /// <summary>The run id, such as <c>manual__2026-11-25T00:00:00+00:00</c>.</summary>
    public string RunId { get; }

    /// <summary>The environment the run renders for.</summary>
    public EnvironmentConfig Environment { get; }

    /// <summary>Parameter values: the DAG's defaults with the run's overrides.</summary>
    public IReadOnlyDictionary<string, object?> Params { get; }

    /// <summary>What each task's last successful attempts used (<c>history.*</c> in templates); empty until the executor reads the run store.</summary>
    public IReadOnlyDictionary<string, TaskHistory> History { get; init; } = ImmutableDictionary<string, TaskHistory>.Empty;

    /// <summary>
    /// Creates a run of <paramref name="dag"/> for the day <paramref name="date"/> (midnight in the
    /// DAG's time zone). <paramref name="paramOverrides"/> are text, as typed after <c>--param</c>, and
    /// are converted to each parameter's type.
    /// </summary>
    /// <exception cref="PipelineDefinitionException">An override names no parameter of the DAG, or does not fit its type.</exception>
    public static RunContext Create(
        Dag dag,
        DateOnly date,
        EnvironmentConfig environment,
        IReadOnlyDictionary<string, string>? paramOverrides = null,
        string runKind = "manual")
    {
        ArgumentNullException.ThrowIfNull(dag);
        var midnight = date.ToDateTime(TimeOnly.MinValue);
        var logical = dag.Schedule.Local(midnight, out _) ?? new DateTimeOffset(midnight, dag.Schedule.TimeZone.GetUtcOffset(midnight));
        return Create(dag, logical, environment, paramOverrides, runKind);
    }

    /// <summary>
    /// Creates a run of <paramref name="dag"/> whose logical date is <paramref name="logicalDate"/> (shown in the DAG's
    /// time zone): a schedule tick covers the interval to the next tick; another time, a manual run, covers the last
    /// interval that closed by then. The run id is <c>&lt;runKind&gt;__&lt;logical date&gt;</c>.
    /// </summary>
    /// <exception cref="PipelineDefinitionException">An override names no parameter of the DAG, or does not fit its type.</exception>
    public static RunContext Create(
        Dag dag,
        DateTimeOffset logicalDate,
        EnvironmentConfig environment,
        IReadOnlyDictionary<string, string>? paramOverrides = null,
        string runKind = "manual")
    {
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(environment);
        var logical = dag.Schedule.InZone(logicalDate);
        return new RunContext(dag, logical, RunIdFor(dag, logical, runKind), environment, MergeParams(dag, paramOverrides));
    }

    /// <summary>The id of <paramref name="dag"/>'s run of <paramref name="runKind"/> for <paramref name="logicalDate"/>: <c>scheduled__2026-11-25T06:00:00+01:00</c>.</summary>
    public static string RunIdFor(Dag dag, DateTimeOffset logicalDate, string runKind)
    {
        ArgumentNullException.ThrowIfNull(dag);
        return $"{runKind}__{dag.Schedule.InZone(logicalDate).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)}";
    }

    private static Dictionary<string, object?> MergeParams(Dag dag, IReadOnlyDictionary<string, string>? overrides)
    {
        var values = dag.Params.ToDictionary(p => p.Name, p => p.Default, StringComparer.Ordinal);
        var problems = new List<DefinitionProblem>();
        foreach (var (name, text) in overrides ?? new Dictionary<string, string>())
        {
            var declared = dag.FindParam(name);
            if (declared is null)
            {
                problems.Add(new DefinitionProblem(dag.Id, null, $"params.{name}",
                    $"'{name}' is not a parameter of the DAG; its parameters: {NameList.Some(dag.Params.Select(p => p.Name), name)}"));
                continue;
            }

            if (TryConvert(text, declared.Default, out var value, out var expected))
            {
                values[name] = value;
            }
            else
            {
                problems.Add(new DefinitionProblem(dag.Id, null, $"params.{name}", $"'{text}' is not {expected}, as the default ({FormatDefault(declared.Default)}) is"));
            }
        }

        return problems.Count > 0 ? throw new PipelineDefinitionException(problems) : values;
    }

    private static bool TryConvert(string text, object? template, out object? value, out string expected)
    {
        switch (template)
        {
            case long:
                expected = "an integer";
                var isLong = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l);
                value = l;
                return isLong;
            case double:
                expected = "a number";
                var isDouble = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d);
                value = d;
                return isDouble;
            case bool:
                expected = "true or false";
                var isBool = bool.TryParse(text, out var b);
                value = b;
                return isBool;
            default:
                expected = "a string";
                value = text;
                return true;
        }
    }

    private static string FormatDefault(object? value) => value switch
    {
        string s => $"\"{s}\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => "null",
    };
}
