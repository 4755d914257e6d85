using Pipelines.Environments;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Secrets;

namespace Pipelines.Execution.Tests;

/// <summary>The verdict on a finished attempt, alone: a function of the task's settings and how the attempt ended.</summary>
public sealed class AttemptVerdictTests
{
    private static ContainerTask Task(Action<TaskBuilder>? define = null)
    {
        var dag = new DagBuilder().Id("d").Schedule("@daily");
        var task = dag.Container("t", "img");
        define?.Invoke(task);
        return dag.Build()["t"];
    }

    private static AttemptVerdict Decide(ContainerTask task, AttemptResult result, int attempts = 1, string? stopping = null, SecretMasker? masker = null, bool timedOut = false, bool noRetry = false, bool neverStarted = false) =>
        AttemptVerdict.Decide(task, new AttemptEnd(result, timedOut, noRetry, neverStarted), attempts, stopping, masker, jitter: 0);

    [Fact]
    public void Exit_0_with_an_object_succeeds_and_keeps_the_output_as_written()
    {
        var verdict = Decide(Task(), AttemptResult.Exited(0, """{"n": 9007199254740993}"""));

        Assert.Equal((VerdictKind.Succeeded, AttemptState.Success), (verdict.Kind, verdict.Attempt));
        Assert.Equal("""{"n": 9007199254740993}""", verdict.Output);
        Assert.Equal("9007199254740993", verdict.OutputValue!.Value.GetProperty("n").GetRawText());
    }

    [Fact]
    public void A_skip_exit_code_skips_the_task()
    {
        var verdict = Decide(Task(t => t.SkipOnExitCode(99)), AttemptResult.Exited(99));

        Assert.Equal((VerdictKind.Skipped, AttemptState.Skipped, "exit code 99 is a skip exit code"), (verdict.Kind, verdict.Attempt, verdict.TaskReason));
    }

    [Fact]
    public void A_failure_with_retries_left_retries_after_the_policy_s_delay()
    {
        var verdict = Decide(Task(t => t.Retries(2, delay: TimeSpan.FromMinutes(5))), AttemptResult.Exited(3), attempts: 2);

        Assert.Equal(VerdictKind.Retry, verdict.Kind);
        Assert.Equal(TimeSpan.FromMinutes(5), verdict.RetryDelay);
        Assert.Equal("exit code 3; retry in 00:05:00", verdict.TaskReason);
        Assert.Equal(2, verdict.AttemptsThisRun);
    }

    [Fact]
    public void The_last_retry_spent_fails_the_task()
    {
        var verdict = Decide(Task(t => t.Retries(2)), AttemptResult.Exited(3), attempts: 3);

        Assert.Equal((VerdictKind.Failed, "exit code 3"), (verdict.Kind, verdict.TaskReason));
    }

    [Theory]
    [InlineData(AttemptLoss.HostCrash, false)]
    [InlineData(AttemptLoss.NeverStarted, false)]
    [InlineData(AttemptLoss.ImagePull, true)]
    [InlineData(AttemptLoss.Evicted, true)]
    [InlineData(AttemptLoss.StartupTimeout, true)]
    [InlineData(AttemptLoss.StartFailed, true)]
    [InlineData(AttemptLoss.RuntimeError, true)]
    public void A_loss_spends_a_retry_unless_the_task_is_not_to_blame(AttemptLoss loss, bool spends)
    {
        var verdict = Decide(Task(t => t.Retries(0)), AttemptResult.Lost(loss, "why"), attempts: 1);

        Assert.Equal(spends ? VerdictKind.Failed : VerdictKind.Retry, verdict.Kind);
        Assert.Equal(spends ? 1 : 0, verdict.AttemptsThisRun);
        if (!spends)
        {
            Assert.Equal(TimeSpan.Zero, verdict.RetryDelay); // at once: the task did not fail
        }
    }

    [Fact]
    public void A_timeout_fails_with_the_limit_not_the_stop_reason()
    {
        var verdict = Decide(Task(t => t.Timeout(TimeSpan.FromMinutes(1))), AttemptResult.Stopped("stopped: SIGTERM sent"), timedOut: true, stopping: null);

        Assert.Equal((VerdictKind.Failed, "timed out after 00:01:00"), (verdict.Kind, verdict.TaskReason));
    }

    [Fact]
    public void A_stop_while_the_run_stops_cancels_the_task_with_the_run_s_reason()
    {
        var verdict = Decide(Task(t => t.Retries(3)), AttemptResult.Stopped("stopped: SIGTERM sent", exitCode: 143), stopping: "the run was cancelled");

        Assert.Equal((VerdictKind.Cancelled, AttemptState.Cancelled, "the run was cancelled"), (verdict.Kind, verdict.Attempt, verdict.TaskReason));
    }

    [Fact]
    public void An_attempt_that_never_started_queues_its_task_again_and_gives_its_try_back()
    {
        var verdict = Decide(Task(), AttemptResult.Lost(AttemptLoss.NeverStarted, "never started"), attempts: 1, neverStarted: true);

        Assert.Equal((VerdictKind.NotStarted, AttemptState.Failed, 0), (verdict.Kind, verdict.Attempt, verdict.AttemptsThisRun));
        Assert.Equal(AttemptVerdict.NotStartedReason, verdict.AttemptReason);
    }

    [Fact]
    public void No_retry_means_none_even_with_retries_left()
    {
        var verdict = Decide(Task(t => t.Retries(5)), AttemptResult.Lost(AttemptLoss.StartFailed, "resolve: field 'args[0]'"), noRetry: true);

        Assert.Equal(VerdictKind.Failed, verdict.Kind);
    }

    [Fact]
    public void An_output_that_holds_a_secret_fails_and_reasons_are_masked()
    {
        var masker = new SecretMasker();
        masker.Add("hunter2-secret", "secret 'db' key 'PASSWORD'");

        var leak = Decide(Task(), AttemptResult.Exited(0, """{"password": "hunter2-secret"}"""), masker: masker);
        var reason = Decide(Task(), AttemptResult.Lost(AttemptLoss.RuntimeError, "engine said hunter2-secret"), masker: masker);

        Assert.Equal(VerdictKind.Failed, leak.Kind);
        Assert.Contains("secret 'db' key 'PASSWORD'", leak.TaskReason);
        Assert.DoesNotContain("hunter2-secret", reason.TaskReason);
        Assert.DoesNotContain("hunter2-secret", reason.AttemptReason);
    }

    [Theory]
    [InlineData("[1, 2]", "not an object")]
    [InlineData("{\"a\": ", "not valid JSON")]
    public void An_output_that_is_not_a_json_object_fails(string output, string expected)
    {
        var verdict = Decide(Task(), AttemptResult.Exited(0, output));

        Assert.Equal(VerdictKind.Failed, verdict.Kind);
        Assert.Contains(expected, verdict.TaskReason);
    }

    [Fact]
    public void An_output_problem_the_runtime_saw_fails_an_exit_0()
    {
        var verdict = Decide(Task(), AttemptResult.Exited(0) with { OutputProblem = "$PIPELINES_OUTPUT was replaced: it is a FIFO" });

        Assert.Equal((VerdictKind.Failed, "$PIPELINES_OUTPUT was replaced: it is a FIFO"), (verdict.Kind, verdict.TaskReason));
    }
}
