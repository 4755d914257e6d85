using Pipelines.Execution;

namespace Pipelines.Execution.Tests;

/// <summary>Airflow's trigger rules, decision by decision: (success, failed, upstream_failed, skipped) of 3 upstream tasks.</summary>
public sealed class TriggerRuleTests
{
    [Theory]
    // all_success
    [InlineData(TriggerRule.AllSuccess, 3, 0, 0, 0, "Run")]
    [InlineData(TriggerRule.AllSuccess, 2, 0, 0, 0, "Wait")]
    [InlineData(TriggerRule.AllSuccess, 1, 1, 0, 0, "UpstreamFailed")]
    [InlineData(TriggerRule.AllSuccess, 1, 0, 1, 0, "UpstreamFailed")]
    [InlineData(TriggerRule.AllSuccess, 2, 0, 0, 1, "Skip")]
    // all_failed
    [InlineData(TriggerRule.AllFailed, 0, 2, 1, 0, "Run")]
    [InlineData(TriggerRule.AllFailed, 0, 2, 0, 0, "Wait")]
    [InlineData(TriggerRule.AllFailed, 1, 0, 0, 0, "Skip")]
    [InlineData(TriggerRule.AllFailed, 0, 1, 0, 1, "Skip")]
    // all_done
    [InlineData(TriggerRule.AllDone, 1, 1, 0, 1, "Run")]
    [InlineData(TriggerRule.AllDone, 1, 1, 0, 0, "Wait")]
    // one_success
    [InlineData(TriggerRule.OneSuccess, 1, 0, 0, 0, "Run")]
    [InlineData(TriggerRule.OneSuccess, 0, 1, 0, 0, "Wait")]
    [InlineData(TriggerRule.OneSuccess, 0, 1, 1, 1, "UpstreamFailed")]
    [InlineData(TriggerRule.OneSuccess, 0, 0, 0, 3, "Skip")]
    // one_failed
    [InlineData(TriggerRule.OneFailed, 0, 1, 0, 0, "Run")]
    [InlineData(TriggerRule.OneFailed, 0, 0, 1, 0, "Run")]
    [InlineData(TriggerRule.OneFailed, 2, 0, 0, 0, "Wait")]
    [InlineData(TriggerRule.OneFailed, 2, 0, 0, 1, "Skip")]
    // one_done
    [InlineData(TriggerRule.OneDone, 1, 0, 0, 0, "Run")]
    [InlineData(TriggerRule.OneDone, 0, 1, 0, 0, "Run")]
    [InlineData(TriggerRule.OneDone, 0, 0, 1, 0, "Wait")]
    [InlineData(TriggerRule.OneDone, 0, 0, 1, 2, "Skip")]
    // none_failed
    [InlineData(TriggerRule.NoneFailed, 2, 0, 0, 1, "Run")]
    [InlineData(TriggerRule.NoneFailed, 2, 0, 0, 0, "Wait")]
    [InlineData(TriggerRule.NoneFailed, 1, 1, 0, 0, "UpstreamFailed")]
    [InlineData(TriggerRule.NoneFailed, 0, 0, 0, 3, "Run")]
    // none_failed_min_one_success
    [InlineData(TriggerRule.NoneFailedMinOneSuccess, 1, 0, 0, 2, "Run")]
    [InlineData(TriggerRule.NoneFailedMinOneSuccess, 0, 0, 0, 3, "Skip")]
    [InlineData(TriggerRule.NoneFailedMinOneSuccess, 0, 0, 1, 0, "UpstreamFailed")]
    [InlineData(TriggerRule.NoneFailedMinOneSuccess, 1, 0, 0, 1, "Wait")]
    // none_skipped
    [InlineData(TriggerRule.NoneSkipped, 1, 2, 0, 0, "Run")]
    [InlineData(TriggerRule.NoneSkipped, 1, 0, 0, 1, "Skip")]
    [InlineData(TriggerRule.NoneSkipped, 1, 1, 0, 0, "Wait")]
    // always
    [InlineData(TriggerRule.Always, 0, 0, 0, 0, "Run")]
    [InlineData(TriggerRule.Always, 0, 3, 0, 0, "Run")]
    public void A_rule_decides_from_the_upstream_states(TriggerRule rule, int success, int failed, int upstreamFailed, int skipped, string expected)
    {
        var decision = TriggerRules.Evaluate(rule, new UpstreamCounts(3, success, failed, upstreamFailed, skipped));

        Assert.Equal(expected, decision.ToString());
    }

    [Theory]
    [InlineData(TriggerRule.AllSuccess)]
    [InlineData(TriggerRule.AllFailed)]
    [InlineData(TriggerRule.OneSuccess)]
    [InlineData(TriggerRule.NoneSkipped)]
    public void A_task_without_upstream_runs_whatever_its_rule(TriggerRule rule) =>
        Assert.Equal(RuleDecision.Run, TriggerRules.Evaluate(rule, new UpstreamCounts(0, 0, 0, 0, 0)));

    [Theory]
    [InlineData(TriggerRule.OneFailed, 2, 2, 0, 0, 0, "trigger rule one_failed cannot be met: no upstream task failed (2 succeeded)")]
    [InlineData(TriggerRule.AllFailed, 3, 1, 2, 0, 0, "trigger rule all_failed cannot be met: not every upstream task failed (1 succeeded, 2 failed)")]
    [InlineData(TriggerRule.AllFailed, 2, 0, 1, 0, 1, "trigger rule all_failed cannot be met: not every upstream task failed (1 failed, 1 skipped)")]
    [InlineData(TriggerRule.AllSuccess, 3, 1, 1, 1, 0, "trigger rule all_success cannot be met: 2 upstream tasks failed (1 succeeded, 1 failed, 1 upstream_failed)")]
    [InlineData(TriggerRule.AllSuccess, 2, 1, 0, 0, 1, "trigger rule all_success cannot be met: an upstream task was skipped (1 succeeded, 1 skipped)")]
    [InlineData(TriggerRule.NoneSkipped, 3, 1, 0, 0, 2, "trigger rule none_skipped cannot be met: 2 upstream tasks were skipped (1 succeeded, 2 skipped)")]
    [InlineData(TriggerRule.OneSuccess, 2, 0, 1, 0, 1, "trigger rule one_success cannot be met: no upstream task succeeded (1 failed, 1 skipped)")]
    [InlineData(TriggerRule.OneSuccess, 2, 0, 0, 0, 2, "trigger rule one_success cannot be met: every upstream task was skipped (2 skipped)")]
    [InlineData(TriggerRule.OneDone, 2, 0, 0, 1, 1, "trigger rule one_done cannot be met: no upstream task succeeded or failed (1 upstream_failed, 1 skipped)")]
    [InlineData(TriggerRule.NoneFailed, 2, 1, 0, 1, 0, "trigger rule none_failed cannot be met: an upstream task failed (1 succeeded, 1 upstream_failed)")]
    [InlineData(TriggerRule.NoneFailedMinOneSuccess, 1, 0, 0, 0, 1, "trigger rule none_failed_min_one_success cannot be met: every upstream task was skipped (1 skipped)")]
    public void The_reason_says_how_the_upstream_tasks_ended(TriggerRule rule, int total, int success, int failed, int upstreamFailed, int skipped, string expected)
    {
        var counts = new UpstreamCounts(total, success, failed, upstreamFailed, skipped);

        Assert.NotEqual(RuleDecision.Run, TriggerRules.Evaluate(rule, counts));
        Assert.Equal(expected, TriggerRules.Reason(rule, counts));
    }

    [Fact]
    public void Rule_names_are_airflows() =>
        Assert.Equal(
            ["all_success", "all_failed", "all_done", "one_success", "one_failed", "one_done", "none_failed", "none_failed_min_one_success", "none_skipped", "always"],
            Enum.GetValues<TriggerRule>().Select(r => r.ToSnakeCase()));
}
