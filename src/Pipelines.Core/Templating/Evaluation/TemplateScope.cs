using System.Text.Json;
using Pipelines.Attempts;

namespace Pipelines.Templating.Evaluation;

/// <summary>Everything an expression of one task attempt can read.</summary>
/// <param name="DagId">The DAG id (<c>dag_id</c>).</param>
/// <param name="TaskId">The task id (<c>task_id</c>).</param>
/// <param name="RunId">The run id (<c>run_id</c>).</param>
/// <param name="LogicalDate">The logical date, already in the DAG's time zone; its offset is kept in <c>ts</c>.</param>
/// <param name="DataIntervalStart">Start of the data interval (<c>data_interval_start</c>).</param>
/// <param name="DataIntervalEnd">End of the data interval (<c>data_interval_end</c>).</param>
/// <param name="TryNumber">The attempt number, from 1 (<c>try_number</c>).</param>
/// <param name="Environment">The environment name (<c>env</c>).</param>
/// <param name="Params">DAG parameters (<c>params.*</c>); values are string, long, int, double, bool or null.</param>
/// <param name="Vars">The environment's variables from the pipelines config (<c>var.*</c>).</param>
/// <param name="TaskOutputs">Upstream task id to its output JSON object (<c>tasks.&lt;id&gt;.output.*</c>).</param>
public sealed record TemplateScope(
    string DagId,
    string TaskId,
    string RunId,
    DateTimeOffset LogicalDate,
    DateTimeOffset DataIntervalStart,
    DateTimeOffset DataIntervalEnd,
    int TryNumber,
    string Environment,
    IReadOnlyDictionary<string, object?> Params,
    IReadOnlyDictionary<string, string> Vars,
    IReadOnlyDictionary<string, JsonElement> TaskOutputs)
{
    /// <summary>
    /// For previews (<c>render</c>, snapshots): an expression that reads upstream outputs
    /// (<c>tasks.*</c>), known only at run time, is kept as written instead of evaluated.
    /// </summary>
    public bool PreviewOutputs { get; init; }

    /// <summary>What the task's last successful attempts used (<c>history.*</c>).</summary>
    public TaskHistory History { get; init; } = TaskHistory.None;
}
