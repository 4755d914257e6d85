using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.Testing;

namespace Pipelines.Execution.Tests;

/// <summary>Every trigger rule through the executor: three upstream tasks end ok, bad (exit 1) or skip (a skip exit code).</summary>
public sealed class TriggerRuleRunTests
{
    [Theory]
    [InlineData("ok,ok,ok", "success,skipped,success,success,skipped,success,success,success,success,success")]
    [InlineData("ok,bad,skip", "upstream_failed,skipped,success,success,success,success,upstream_failed,upstream_failed,skipped,success")]
    [InlineData("skip,skip,skip", "skipped,skipped,success,skipped,skipped,skipped,success,skipped,skipped,success")]
    [InlineData("bad,bad,bad", "upstream_failed,success,success,upstream_failed,success,success,upstream_failed,upstream_failed,success,success")]
    public async Task Each_rule_ends_as_airflow_decides(string upstream, string expected)
    {
        var rules = Enum.GetValues<TriggerRule>();
        var outcomes = upstream.Split(',');
        var h = new ExecutorHarness();
        for (var u = 0; u < outcomes.Length; u++)
        {
            h.Runtime.Script($"up{u}", new SimulatedAttempt(TimeSpan.FromMinutes(u + 1), ExitCode: outcomes[u] switch { "ok" => 0, "bad" => 1, _ => 99 }));
        }

        var dag = ExecutorHarness.Dag(d =>
        {
            var ups = Enumerable.Range(0, outcomes.Length).Select(u => d.Container($"up{u}", "img").SkipOnExitCode(99)).ToArray();
            foreach (var rule in rules)
            {
                d.Container(rule.ToSnakeCase(), "img").TriggerRule(rule).DependsOn(ups);
            }
        });

        var outcome = await h.RunAsync(dag);

        Assert.Equal(expected.Split(','), rules.Select(r => outcome.Tasks[r.ToSnakeCase()].ToAirflowName()));
    }

    [Fact]
    public async Task A_one_failed_task_whose_upstream_succeeded_says_so_in_its_reason()
    {
        var h = new ExecutorHarness();
        var dag = ExecutorHarness.Dag(d =>
        {
            var a = d.Container("a", "img");
            var b = d.Container("b", "img");
            d.Container("on_failure", "img").TriggerRule(TriggerRule.OneFailed).DependsOn(a, b);
        });

        var outcome = await h.RunAsync(dag);

        Assert.Equal(TaskState.Skipped, outcome.Tasks["on_failure"]);
        Assert.Equal(
            "trigger rule one_failed cannot be met: no upstream task failed (2 succeeded)",
            h.Store.LoadTasks("d", outcome.Run.RunId).Single(t => t.TaskId == "on_failure").Reason);
    }
}
