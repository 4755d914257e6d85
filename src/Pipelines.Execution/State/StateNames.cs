using System.Collections.Frozen;
using Pipelines.Execution;

namespace Pipelines.Execution.State;

/// <summary>
/// The lowercase names the run store writes for run and attempt states (task states use
/// <see cref="TaskStates.ToAirflowName"/>), so a store is readable with the <c>sqlite3</c> CLI.
/// </summary>
public static class StateNames
{
    private static readonly FrozenDictionary<string, TaskState> TaskStatesByName =
        Enum.GetValues<TaskState>().ToFrozenDictionary(s => s.ToAirflowName(), StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, RunState> RunStatesByName =
        Enum.GetValues<RunState>().ToFrozenDictionary(s => s.ToAirflowName(), StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, AttemptState> AttemptStatesByName =
        Enum.GetValues<AttemptState>().ToFrozenDictionary(s => s.ToAirflowName(), StringComparer.Ordinal);

    /// <summary>The name of a run state: <c>running</c>, <c>success</c>, <c>failed</c>, <c>cancelled</c>.</summary>
    public static string ToAirflowName(this RunState state) => state switch
    {
        RunState.Running => "running",
        RunState.Success => "success",
        RunState.Failed => "failed",
        RunState.Cancelled => "cancelled",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>The name of an attempt state: <c>starting</c>, <c>running</c>, <c>success</c>, <c>failed</c>, <c>skipped</c>, <c>cancelled</c>.</summary>
    public static string ToAirflowName(this AttemptState state) => state switch
    {
        AttemptState.Starting => "starting",
        AttemptState.Running => "running",
        AttemptState.Success => "success",
        AttemptState.Failed => "failed",
        AttemptState.Skipped => "skipped",
        AttemptState.Cancelled => "cancelled",
        _ => state.ToString().ToLowerInvariant(),
    };

    internal static IEnumerable<string> AllNames<T>(Func<T, string> name)
        where T : struct, Enum => Enum.GetValues<T>().Select(name);

    internal static bool TryParse(string name, out TaskState state) => TaskStatesByName.TryGetValue(name, out state);

    internal static bool TryParse(string name, out RunState state) => RunStatesByName.TryGetValue(name, out state);

    internal static bool TryParse(string name, out AttemptState state) => AttemptStatesByName.TryGetValue(name, out state);
}
