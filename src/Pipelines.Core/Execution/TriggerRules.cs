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
}
