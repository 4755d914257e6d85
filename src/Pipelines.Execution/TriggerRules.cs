using Pipelines.Execution.State;

namespace Pipelines.Execution;

/// <summary>How the direct upstream tasks of a task stand.</summary>
internal readonly record struct UpstreamCounts(int Total, int Success, int Failed, int UpstreamFailed, int Skipped)
{
    public int Done => Success + Failed + UpstreamFailed + Skipped;

    public bool AllDone => Done == Total;
}

/// <summary>What a trigger rule decides for a task, given its upstream states.</summary>
internal enum RuleDecision
{
    Wait,
    Run,
    Skip,
    UpstreamFailed,
}

/// <summary>
/// Airflow's trigger rules. A task whose rule can no longer be met settles at once
/// (skipped or upstream_failed) and that settles its own downstream in turn.
/// </summary>
internal static class TriggerRules
{
    public static RuleDecision Evaluate(TriggerRule rule, UpstreamCounts c)
    {
        if (c.Total == 0 || rule == TriggerRule.Always)
        {
            return RuleDecision.Run;
        }

        var failures = c.Failed + c.UpstreamFailed;
        return rule switch
        {
            TriggerRule.AllSuccess => failures > 0 ? RuleDecision.UpstreamFailed
                : c.Skipped > 0 ? RuleDecision.Skip
                : c.Success == c.Total ? RuleDecision.Run
                : RuleDecision.Wait,
            TriggerRule.AllFailed => c.Success + c.Skipped > 0 ? RuleDecision.Skip
                : failures == c.Total ? RuleDecision.Run
                : RuleDecision.Wait,
            TriggerRule.AllDone => c.AllDone ? RuleDecision.Run : RuleDecision.Wait,
            TriggerRule.OneSuccess => c.Success > 0 ? RuleDecision.Run
                : !c.AllDone ? RuleDecision.Wait
                : c.Skipped == c.Total ? RuleDecision.Skip
                : RuleDecision.UpstreamFailed,
            TriggerRule.OneFailed => failures > 0 ? RuleDecision.Run
                : c.AllDone ? RuleDecision.Skip
                : RuleDecision.Wait,
            TriggerRule.OneDone => c.Success + c.Failed > 0 ? RuleDecision.Run
                : c.AllDone ? RuleDecision.Skip
                : RuleDecision.Wait,
            TriggerRule.NoneFailed => failures > 0 ? RuleDecision.UpstreamFailed
                : c.AllDone ? RuleDecision.Run
                : RuleDecision.Wait,
            TriggerRule.NoneFailedMinOneSuccess => failures > 0 ? RuleDecision.UpstreamFailed
                : !c.AllDone ? RuleDecision.Wait
                : c.Skipped == c.Total ? RuleDecision.Skip
                : RuleDecision.Run,
            TriggerRule.NoneSkipped => c.Skipped > 0 ? RuleDecision.Skip
                : c.AllDone ? RuleDecision.Run
                : RuleDecision.Wait,
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown trigger rule."),
        };
    }

    /// <summary>
    /// Why <paramref name="rule"/> cannot be met by upstream tasks that stand as <paramref name="c"/>
    /// (when <see cref="Evaluate"/> said skip or upstream_failed), with the tally, such as
    /// <c>trigger rule one_failed cannot be met: no upstream task failed (2 succeeded)</c>.
    /// </summary>
    public static string Reason(TriggerRule rule, UpstreamCounts c)
    {
        // Failed and upstream_failed both count as failures, as in Evaluate.
        var failures = c.Failed + c.UpstreamFailed;
        var why = rule switch
        {
            TriggerRule.AllSuccess or TriggerRule.NoneFailed or TriggerRule.NoneFailedMinOneSuccess when failures > 0 => Some(failures, "failed"),
            TriggerRule.AllSuccess or TriggerRule.NoneSkipped when c.Skipped > 0 => Some(c.Skipped, "was skipped", "were skipped"),
            TriggerRule.AllFailed => "not every upstream task failed",
            TriggerRule.OneSuccess or TriggerRule.NoneFailedMinOneSuccess when c.Skipped == c.Total => "every upstream task was skipped",
            TriggerRule.OneSuccess => "no upstream task succeeded",
            TriggerRule.OneFailed => "no upstream task failed",
            TriggerRule.OneDone => "no upstream task succeeded or failed",
            _ => "the upstream states do not allow it",
        };
        return $"trigger rule {rule.ToSnakeCase()} cannot be met: {why} ({Tally(c)})";
    }

    private static string Some(int count, string verb, string? plural = null) =>
        count == 1 ? $"an upstream task {verb}" : $"{count} upstream tasks {plural ?? verb}";

    private static string Tally(UpstreamCounts c)
    {
        var parts = new List<string>(4);
        foreach (var (count, what) in new[] { (c.Success, "succeeded"), (c.Failed, "failed"), (c.UpstreamFailed, "upstream_failed"), (c.Skipped, "skipped") })
        {
            if (count > 0)
            {
                parts.Add($"{count} {what}");
            }
        }

        return parts.Count == 0 ? "no upstream task settled" : string.Join(", ", parts);
    }
}

/// <summary>How many of a task's direct upstream tasks ended in each state, counted as they end.</summary>
internal struct UpstreamTally
{
    public int Success;
    public int Failed;
    public int UpstreamFailed;
    public int Skipped;

    public void Add(TaskState state)
    {
        switch (state)
        {
            case TaskState.Success: Success++; break;
            case TaskState.Failed: Failed++; break;
            case TaskState.UpstreamFailed: UpstreamFailed++; break;
            case TaskState.Skipped: Skipped++; break;
        }
    }
}
