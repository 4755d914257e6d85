using System.Collections.Frozen;

namespace Pipelines.Templating.Evaluation;

/// <summary>The top-level names an expression can read.</summary>
public static class TemplateNames
{
    /// <summary>The DAG id.</summary>
    public const string DagId = "dag_id";

    /// <summary>The task id.</summary>
    public const string TaskId = "task_id";

    /// <summary>The run id.</summary>
    public const string RunId = "run_id";

    /// <summary>The logical date as <c>yyyy-MM-dd</c>.</summary>
    public const string Ds = "ds";

    /// <summary>The logical date as <c>yyyyMMdd</c>.</summary>
    public const string DsNodash = "ds_nodash";

    /// <summary>The logical date as <c>yyyy-MM-ddTHH:mm:sszzz</c>.</summary>
    public const string Ts = "ts";

    /// <summary>The logical date as <c>yyyyMMddTHHmmss</c>.</summary>
    public const string TsNodash = "ts_nodash";

    /// <summary>The logical date, same text as <see cref="Ts"/>.</summary>
    public const string LogicalDate = "logical_date";

    /// <summary>Start of the data interval, ISO 8601 with offset.</summary>
    public const string DataIntervalStart = "data_interval_start";

    /// <summary>End of the data interval, ISO 8601 with offset.</summary>
    public const string DataIntervalEnd = "data_interval_end";

    /// <summary>The attempt number, starting at 1.</summary>
    public const string TryNumber = "try_number";

    /// <summary>The environment name.</summary>
    public const string Env = "env";

    /// <summary>The DAG parameters: <c>params.name</c>.</summary>
    public const string Params = "params";

    /// <summary>The environment's variables from the pipelines config: <c>var.name</c>.</summary>
    public const string Var = "var";

    /// <summary>Upstream outputs: <c>tasks.id.output.field</c> or <c>tasks["id-with-dash"].output.field</c>.</summary>
    public const string Tasks = "tasks";

    /// <summary>What the task's last successful attempts used: <c>history.memory_peak_max</c> and the rest of <see cref="HistoryMembers"/>.</summary>
    public const string History = "history";

    /// <summary>
    /// The members of <c>history</c>: <c>memory_peak_max</c> (a quantity such as <c>96Mi</c>), <c>memory_peak_max_bytes</c>,
    /// <c>cpu_seconds_max</c>, <c>duration_seconds_max</c> — each null (so <c>??</c> picks a default) until a runtime
    /// measured one — and <c>attempts</c>, how many successful attempts count (the last five at most).
    /// </summary>
    public static IReadOnlyList<string> HistoryMembers { get; } =
        ["attempts", "cpu_seconds_max", "duration_seconds_max", "memory_peak_max", "memory_peak_max_bytes"];

    /// <summary>Macro <c>ds_add(ds, days)</c>.</summary>
    public const string DsAdd = "ds_add";

    /// <summary>Macro <c>ds_format(value, input_format, output_format)</c> with Python strftime formats.</summary>
    public const string DsFormat = "ds_format";

    /// <summary>The names the pipeline provides (variables and macros), sorted; Scriban's builtins are not included.</summary>
    public static IReadOnlyList<string> Variables { get; } =
    [
        DagId, DataIntervalEnd, DataIntervalStart, Ds, DsAdd, DsFormat, DsNodash, Env, History, LogicalDate, Params,
        RunId, TaskId, Tasks, TryNumber, Ts, TsNodash, Var,
    ];

    /// <summary>The Scriban builtin objects available at render time (<c>string</c>, <c>math</c>, <c>date</c>, ...), sorted.</summary>
    public static IReadOnlyList<string> Builtins { get; } = [.. BuiltinObjects.Shared.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Every top-level name that exists at render time: <see cref="Variables"/> and <see cref="Builtins"/>.</summary>
    public static IReadOnlySet<string> Globals { get; } = Variables.Concat(Builtins).ToFrozenSet(StringComparer.Ordinal);

    internal static string GlobalsText { get; } = string.Join(", ", Globals.Order(StringComparer.Ordinal));
}
