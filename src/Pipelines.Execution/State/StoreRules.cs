namespace Pipelines.Execution.State;

/// <summary>
/// What both stores must agree on beyond storage: the order lists come back in, and how past
/// durations are summarised. Kept in one place so the file and memory stores cannot drift.
/// </summary>
internal static class StoreRules
{
    /// <summary>Newest logical date first (by instant, whatever the offset), then latest start, then run id.</summary>
    public static List<DagRunRecord> OrderRuns(IEnumerable<DagRunRecord> runs) =>
        [.. runs
            .OrderByDescending(r => r.LogicalDate.UtcTicks)
            .ThenByDescending(r => r.StartedAt.UtcTicks)
            .ThenBy(r => r.RunId, StringComparer.Ordinal)];

    /// <summary>By task id (ordinal).</summary>
    public static List<TaskInstanceRecord> OrderTasks(IEnumerable<TaskInstanceRecord> tasks) =>
        [.. tasks.OrderBy(t => t.TaskId, StringComparer.Ordinal)];

    /// <summary>By task id (ordinal), then try number.</summary>
    public static List<AttemptRecord> OrderAttempts(IEnumerable<AttemptRecord> attempts) =>
        [.. attempts.OrderBy(a => a.TaskId, StringComparer.Ordinal).ThenBy(a => a.TryNumber)];

    /// <summary>True for an attempt whose duration counts towards the task's past durations.</summary>
    public static bool CountsAsPastDuration(AttemptRecord attempt) =>
        attempt.State == AttemptState.Success && attempt.EndedAt is not null;

    /// <summary>Per task, what its last <see cref="TaskHistory.Window"/> successful attempts used.</summary>
    public static Dictionary<string, TaskHistory> Histories(IEnumerable<AttemptRecord> attempts) =>
        attempts.Where(CountsAsPastDuration)
            .GroupBy(a => a.TaskId, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g =>
                {
                    var last = g.OrderByDescending(a => a.EndedAt).Take(TaskHistory.Window).ToList();
                    return new TaskHistory(
                        last.Count,
                        last.Max(a => a.MemoryPeakBytes),
                        last.Max(a => a.CpuSeconds),
                        last.Max(a => a.EndedAt!.Value - a.StartedAt));
                },
                StringComparer.Ordinal);

    /// <summary>The median duration per task (the mean of the two middle values for an even count).</summary>
    public static Dictionary<string, TimeSpan> Medians(IEnumerable<(string TaskId, TimeSpan Duration)> durations)
    {
        var result = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var group in durations.GroupBy(d => d.TaskId, StringComparer.Ordinal))
        {
            var ticks = group.Select(d => d.Duration.Ticks).Order().ToArray();
            var middle = ticks.Length / 2;
            result[group.Key] = ticks.Length % 2 == 1
                ? TimeSpan.FromTicks(ticks[middle])
                : TimeSpan.FromTicks(ticks[middle - 1] + ((ticks[middle] - ticks[middle - 1]) / 2));
        }

        return result;
    }
}
