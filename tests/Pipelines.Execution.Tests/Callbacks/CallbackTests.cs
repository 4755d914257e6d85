using System.Collections.Concurrent;
using Pipelines.Execution.Notifications;
using Pipelines.Execution.State;
using Pipelines.Secrets;
using Pipelines.Testing;

namespace Pipelines.Execution.Tests.Callbacks;

public sealed class CallbackTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Callbacks_are_called_in_order_with_the_run_the_task_its_try_the_reason_and_the_log_tail()
    {
        var masker = new SecretMasker();
        masker.Add("hunter2-secret");
        var h = new ExecutorHarness(new ExecutorOptions { Masker = masker });
        var calls = new ConcurrentQueue<(string Who, CallbackContext Context)>();
        Callback Record(string who) => (c, _) =>
        {
            calls.Enqueue((who, c));
            return Task.CompletedTask;
        };

        h.Runtime.Script("a", new SimulatedAttempt(Minute, Logs: ["a done"]));
        h.Runtime.Script("b", new SimulatedAttempt(Minute, ExitCode: 3, Logs: ["b first try"]), new SimulatedAttempt(Minute));
        h.Runtime.Script("c", new SimulatedAttempt(Minute, ExitCode: 1, Logs: [.. Enumerable.Range(1, 25).Select(n => $"c line {n} hunter2-secret")]));
        var dag = ExecutorHarness.Dag(d =>
        {
            d.TaskDefaults(t => t.OnFailure(Record("defaults.failure")));
            d.OnSuccess(Record("dag.success")).OnFailure(Record("dag.failure")).OnRetry(Record("dag.retry"));
            var a = d.Container("a", "img").OnSuccess(Record("a.success")).OnFailure(Record("a.failure"));
            var b = d.Container("b", "img").Retries(1, delay: Minute).OnRetry(Record("b.retry")).OnSuccess(Record("b.success")).DependsOn(a);
            d.Container("c", "img").OnFailure(Record("c.failure")).OnSuccess(Record("c.success")).DependsOn(b);
        });

        var outcome = await h.RunAsync(dag);

        Assert.Equal(RunState.Failed, outcome.State);
        Assert.Equal(["a.success", "b.retry", "dag.retry", "b.success", "defaults.failure", "c.failure", "dag.failure"], calls.Select(c => c.Who));
        var all = calls.ToDictionary(c => c.Who, c => c.Context);
        Assert.All(all.Values, c => Assert.Same(outcome.Run.RunId, c.Run.RunId));

        var retry = all["b.retry"];
        Assert.Equal(("b", 1, CallbackEvent.Retry, 3), (retry.Task!.Id, retry.TryNumber, retry.Event, retry.ExitCode));
        Assert.Contains("exit code 3", retry.Reason);
        Assert.Equal(["b first try"], retry.LogTail);
        Assert.Equal("task_retry", retry.EventName);
        Assert.Equal(ExecutorHarness.Start + Minute, retry.StartedAt);
        Assert.Equal(ExecutorHarness.Start + (2 * Minute), retry.EndedAt);
        Assert.Same(retry, all["dag.retry"]);

        Assert.Equal((2, (string?)null), (all["b.success"].TryNumber, all["b.success"].Reason));
        var failure = all["c.failure"];
        Assert.Equal(("c", 1, 1), (failure.Task!.Id, failure.TryNumber, failure.ExitCode));
        Assert.Equal(Enumerable.Range(6, 20).Select(n => $"c line {n} ***"), failure.LogTail);

        var run = all["dag.failure"];
        Assert.Null(run.Task);
        Assert.Equal("run_failure", run.EventName);
        var failed = Assert.Single(run.FailedTasks);
        Assert.Equal(("c", 1, 1), (failed.TaskId, failed.TryNumber, failed.ExitCode));
        Assert.Contains("exit code 1", failed.Reason);
        Assert.DoesNotContain(calls, c => c.Context.Reason?.Contains("hunter2", StringComparison.Ordinal) == true || c.Context.LogTail.Any(l => l.Contains("hunter2", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_callback_that_throws_or_hangs_is_logged_and_changes_nothing()
    {
        var h = new ExecutorHarness(new ExecutorOptions { CallbackTimeout = TimeSpan.FromSeconds(30) });
        var later = new ConcurrentQueue<string>();
        var cancelled = new TaskCompletionSource();
        var dag = ExecutorHarness.Dag(d =>
        {
            var a = d.Container("a", "img")
                .OnSuccess(_ => throw new InvalidOperationException("the alert service is down"))
                .OnSuccess(async (_, token) =>
                {
                    // Hangs until its time is up, then ignores the token's cancellation too.
                    token.Register(() => cancelled.TrySetResult());
                    await Task.Delay(Timeout.Infinite, CancellationToken.None);
                })
                .OnSuccess(c => later.Enqueue("third " + c.Task!.Id));
            d.Container("b", "img").DependsOn(a);
            d.OnSuccess(c => later.Enqueue("run " + c.Event));
        });

        var outcome = await h.RunAsync(dag);

        Assert.Equal(RunState.Success, outcome.State);
        Assert.Equal(TaskState.Success, outcome.Tasks["b"]);
        Assert.Equal(["third a", "run Success"], later);
        Assert.True(cancelled.Task.IsCompleted, "the hanging callback's token fired at its timeout");
        Assert.Contains(h.Observer.Notices, n => n.StartsWith("OnSuccess callback #1 of task 'a' try 1 failed", StringComparison.Ordinal) && n.Contains("InvalidOperationException: the alert service is down", StringComparison.Ordinal));
        Assert.Contains(h.Observer.Notices, n => n.StartsWith("OnSuccess callback #2 of task 'a' try 1 did not end within 30 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_callback_never_runs_on_the_scheduling_loop_and_the_run_returns_after_it()
    {
        var h = new ExecutorHarness();
        var release = new TaskCompletionSource();
        var called = new TaskCompletionSource();
        var downstreamStarted = new TaskCompletionSource();
        h.Runtime.Script("b", _ =>
        {
            downstreamStarted.TrySetResult();
            return SimulatedAttempt.Instant;
        });
        var dag = ExecutorHarness.Dag(d =>
        {
            // A synchronous callback that blocks its thread: the loop must not be that thread.
            var a = d.Container("a", "img").OnSuccess(_ =>
            {
                called.TrySetResult();
                release.Task.Wait();
            });
            d.Container("b", "img").DependsOn(a);
        });

        var run = h.Executor.RunAsync(ExecutorHarness.Run(dag), h.Observer, TestContext.Current.CancellationToken);
        await called.Task.WaitAsync(TestContext.Current.CancellationToken);
        await downstreamStarted.Task.WaitAsync(TestContext.Current.CancellationToken); // the loop went on while a's callback blocks
        await h.Executor.WhenIdleAsync();
        Assert.False(run.IsCompleted, "the run waits for its callbacks");
        release.SetResult();
        var outcome = await run;
        Assert.Equal((RunState.Success, TaskState.Success), (outcome.State, outcome.Tasks["b"]));
    }

    [Fact]
    public async Task A_cancelled_run_calls_no_run_callback_and_notifiers_hear_every_event()
    {
        var h = new ExecutorHarness(new ExecutorOptions { Notifiers = [new RecordingNotifier()] });
        var notifier = (RecordingNotifier)h.Executor.Options.Notifiers[0];
        var runCallbacks = 0;
        h.Runtime.Script("slow", new SimulatedAttempt(TimeSpan.FromHours(1)));
        var dag = ExecutorHarness.Dag(d =>
        {
            d.Container("quick", "img");
            d.Container("slow", "img");
            d.OnFailure(_ => runCallbacks++).OnSuccess(_ => runCallbacks++);
        });
        using var cancel = new CancellationTokenSource();

        var outcome = await h.RunAsync(dag, cancel, onStep: elapsed =>
        {
            if (elapsed >= Minute)
            {
                cancel.Cancel();
            }
        });

        Assert.Equal(RunState.Cancelled, outcome.State);
        Assert.Equal(0, runCallbacks);
        Assert.Equal(["task_success quick"], notifier.Events);
    }

    [Fact]
    public async Task A_test_of_one_task_calls_its_callbacks_and_no_run_callback()
    {
        var h = new ExecutorHarness(new ExecutorOptions { Scope = RunScope.Alone(["b"]) });
        var calls = new ConcurrentQueue<string>();
        var dag = ExecutorHarness.Dag(d =>
        {
            var a = d.Container("a", "img").OnSuccess(_ => calls.Enqueue("a.success"));
            d.Container("b", "img").DependsOn(a).OnSuccess(_ => calls.Enqueue("b.success"));
            d.OnSuccess(_ => calls.Enqueue("dag.success")).OnFailure(_ => calls.Enqueue("dag.failure"));
        });

        var outcome = await h.RunAsync(dag);

        Assert.Equal(RunState.Success, outcome.State);
        Assert.Equal(["b.success"], calls);
    }

    private sealed class RecordingNotifier : IRunNotifier
    {
        public ConcurrentQueue<string> Events { get; } = new();

        public Task NotifyAsync(CallbackContext context, CancellationToken cancellationToken)
        {
            Events.Enqueue($"{context.EventName} {context.Task?.Id}".TrimEnd());
            return Task.CompletedTask;
        }
    }
}
