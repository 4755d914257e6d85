using Pipelines.Execution;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Secrets;
using Pipelines.Testing;

namespace Pipelines.Execution.Tests;

/// <summary>The executor on the simulated runtime, in virtual time.</summary>
public sealed class ExecutorTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_chain_runs_in_order_and_each_task_starts_when_its_upstream_ends()
    {
        var h = new ExecutorHarness();
        h.Runtime.Script("a", new SimulatedAttempt(Minute)).Script("b", new SimulatedAttempt(2 * Minute)).Script("c", new SimulatedAttempt(Minute));
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img").Then(d.Container("b", "img")).Then(d.Container("c", "img")));

        var outcome = await h.RunAsync(dag);

        Assert.Equal(RunState.Success, outcome.State);
        Assert.All(outcome.Tasks.Values, s => Assert.Equal(TaskState.Success, s));
        Assert.Equal(ExecutorHarness.Start, h.Attempt("a").Start);
        Assert.Equal(h.Attempt("a").End, h.Attempt("b").Start);
        Assert.Equal(h.Attempt("b").End, h.Attempt("c").Start);
        Assert.Equal(ExecutorHarness.Start + (4 * Minute), h.Attempt("c").End);
    }

    [Fact]
    public async Task An_upstream_output_reaches_a_downstream_template()
    {
        var h = new ExecutorHarness();
        h.Runtime.Script("extract", new SimulatedAttempt(Minute, Output: """{"rows": 42, "file": "/data/x.csv"}"""));
        var dag = ExecutorHarness.Dag(d => d.Container("extract", "img").Then(d.Container("report", "img").Args("--rows", "<< tasks.extract.output.rows >>", "<< tasks.extract.output.file >>")));

        await h.RunAsync(dag);

        Assert.Equal(["--rows", "42", "/data/x.csv"], h.Attempt("report").Attempt.Task.Args);
        Assert.Equal("""{"rows": 42, "file": "/data/x.csv"}""", h.Store.LoadAttempts("d", ExecutorHarness.Run(dag).RunId, "extract").Single().Output);
    }

    [Fact]
    public async Task An_output_is_stored_and_passed_on_exactly_even_when_a_secret_is_part_of_a_number()
    {
        var masker = new SecretMasker();
        masker.Add("100", "secret 'db' key 'PIN'");
        var store = new InMemoryRunStore();
        const string Output = """{"count": 1000, "big": 9007199254740993}""";
        var dag = ExecutorHarness.Dag(d => d.Container("extract", "img").Then(d.Container("report", "img").Args("<< tasks.extract.output.count >>", "<< tasks.extract.output.big >>")));
        var fresh = new ExecutorHarness(new ExecutorOptions { Masker = masker }, store);
        fresh.Runtime.Script("extract", new SimulatedAttempt(Minute, Output: Output));

        await fresh.RunAsync(dag);
        var runId = ExecutorHarness.Run(dag).RunId;
        var batch = new StoreBatch();
        batch.Tasks.Add(("d", runId, new TaskInstanceRecord("report", TaskState.None, 1, "cleared", ExecutorHarness.Start)));
        store.Commit(batch);
        var resumed = new ExecutorHarness(new ExecutorOptions { Masker = masker }, store);
        var outcome = await resumed.RunAsync(dag);

        Assert.Equal(Output, store.LoadAttempts("d", runId, "extract").Single().Output);
        Assert.Equal(["1000", "9007199254740993"], fresh.Attempt("report").Attempt.Task.Args);
        Assert.Equal(fresh.Attempt("report").Attempt.Task.Args, resumed.Attempt("report", 2).Attempt.Task.Args);
        Assert.DoesNotContain(resumed.Runtime.History, r => r.TaskId == "extract");
        Assert.Equal(RunState.Success, outcome.State);
    }

    [Theory]
    [InlineData("""{"token": "Bearer hunter22"}""", "$.token")]
    [InlineData("""{"conn": {"urls": ["x", "postgres://u:hunter22@db"]}}""", "$.conn.urls[1]")]
    [InlineData("""{"pin": 4242}""", "$.pin")]
    [InlineData("""{"auth": "aHVudGVyMjI="}""", "$.auth")]
    [InlineData("""{"hunter22": 1}""", "$ (a member name)")]
    public async Task An_output_holding_a_secret_fails_its_task_naming_the_field_and_the_secret_never_the_value(string output, string path)
    {
        var masker = new SecretMasker();
        masker.Add("hunter22", "secret 'db' key 'PASSWORD'");
        masker.Add("4242", "secret 'db' key 'PIN'");
        var h = new ExecutorHarness(new ExecutorOptions { Masker = masker });
        h.Runtime.Script("a", new SimulatedAttempt(Minute, Output: output));

        var outcome = await h.RunAsync(ExecutorHarness.Dag(d => d.Container("a", "img").Then(d.Container("b", "img"))));

        Assert.Equal(TaskState.Failed, outcome.Tasks["a"]);
        Assert.Equal(TaskState.UpstreamFailed, outcome.Tasks["b"]);
        var reason = h.Store.LoadTasks("d", outcome.Run.RunId).Single(t => t.TaskId == "a").Reason!;
        Assert.Contains($"the output holds the value of secret 'db' key '{(path == "$.pin" ? "PIN" : "PASSWORD")}' at {path}", reason);
        Assert.DoesNotContain("hunter22", reason);
        Assert.DoesNotContain("4242", reason);
        Assert.Null(h.Store.LoadAttempts("d", outcome.Run.RunId, "a").Single().Output);
    }

    [Fact]
    public async Task A_recorded_output_that_is_not_json_runs_its_task_again_instead_of_crashing_the_resume()
    {
        var store = new InMemoryRunStore();
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img").Then(d.Container("b", "img").Args("<< tasks.a.output.count >>")));
        var run = ExecutorHarness.Run(dag);
        var batch = new StoreBatch();
        batch.Runs.Add(new DagRunRecord("d", run.RunId, run.LogicalDate, RunState.Failed, "local", "simulated", "{}", ExecutorHarness.Start, null));
        batch.Tasks.Add(("d", run.RunId, new TaskInstanceRecord("a", TaskState.Success, 1, null, ExecutorHarness.Start)));
        batch.Tasks.Add(("d", run.RunId, new TaskInstanceRecord("b", TaskState.Failed, 1, null, ExecutorHarness.Start)));
        batch.Attempts.Add(("d", run.RunId, new AttemptRecord("a", 1, AttemptState.Success, ExecutorHarness.Start, ExecutorHarness.Start, 0, null, """{"count": ***0}""", null, null)));
        store.Commit(batch);
        var h = new ExecutorHarness(store: store);
        h.Runtime.Script("a", new SimulatedAttempt(Minute, Output: """{"count": 1000}"""));

        var outcome = await h.RunAsync(dag);

        Assert.Equal(RunState.Success, outcome.State);
        Assert.Equal(2, h.Attempt("a", 2).TryNumber);
        Assert.Equal(["1000"], h.Attempt("b", 2).Attempt.Task.Args);
    }

    [Theory]
    [InlineData("""[1, 2]""", "not an object")]
    [InlineData("""{"rows": """, "not valid JSON")]
    public async Task An_invalid_output_fails_the_task_with_a_clear_reason(string output, string reason)
    {
        var h = new ExecutorHarness();
        h.Runtime.Script("a", new SimulatedAttempt(Minute, Output: output));

        var outcome = await h.RunAsync(ExecutorHarness.Dag(d => d.Container("a", "img")));

        Assert.Equal(TaskState.Failed, outcome.Tasks["a"]);
        Assert.Contains(reason, h.Store.LoadTasks("d", outcome.Run.RunId).Single().Reason);
    }

    [Fact]
    public async Task An_output_over_4096_bytes_fails_the_task_on_every_runtime()
    {
        var h = new ExecutorHarness();
        var exactly = "{\"v\": \"" + new string('x', 4096 - 9) + "\"}";
        var over = "{\"v\": \"" + new string('x', 4096 - 8) + "\"}";
        h.Runtime.Script("fits", new SimulatedAttempt(Minute, Output: exactly)).Script("over", new SimulatedAttempt(Minute, Output: over));

        var outcome = await h.RunAsync(ExecutorHarness.Dag(d => { d.Container("fits", "img"); d.Container("over", "img"); }));

        Assert.Equal(4096, System.Text.Encoding.UTF8.GetByteCount(exactly));
        Assert.Equal(TaskState.Success, outcome.Tasks["fits"]);
        Assert.Equal(TaskState.Failed, outcome.Tasks["over"]);
        Assert.Contains("the output is 4097 bytes; the limit is 4096 bytes", h.Store.LoadTasks("d", outcome.Run.RunId).Single(t => t.TaskId == "over").Reason);
    }

    [Fact]
    public async Task A_failure_propagates_upstream_failed_and_all_done_still_runs()
    {
        var h = new ExecutorHarness();
        h.Runtime.Script("a", new SimulatedAttempt(Minute, ExitCode: 3));
        var dag = ExecutorHarness.Dag(d =>
        {
            var a = d.Container("a", "img");
            a.Then(d.Container("b", "img")).Then(d.Container("c", "img"));
            d.Container("cleanup", "img").TriggerRule(TriggerRule.AllDone).DependsOn("c");
            d.Container("alert", "img").TriggerRule(TriggerRule.OneFailed).DependsOn(a);
        });

        var outcome = await h.RunAsync(dag);

        Assert.Equal(RunState.Failed, outcome.State);
        Assert.Equal(TaskState.Failed, outcome.Tasks["a"]);
        Assert.Equal(TaskState.UpstreamFailed, outcome.Tasks["b"]);
        Assert.Equal(TaskState.UpstreamFailed, outcome.Tasks["c"]);
        Assert.Equal(TaskState.Success, outcome.Tasks["cleanup"]);
        Assert.Equal(TaskState.Success, outcome.Tasks["alert"]);
        Assert.Contains("exit code 3", h.Store.LoadTasks("d", outcome.Run.RunId).Single(t => t.TaskId == "a").Reason);
    }

    [Fact]
    public async Task One_success_starts_as_soon_as_one_upstream_succeeds()
    {
        var h = new ExecutorHarness();
        h.Runtime.Script("fast", new SimulatedAttempt(Minute)).Script("slow", new SimulatedAttempt(10 * Minute));
        var dag = ExecutorHarness.Dag(d => d.Container("first", "img").TriggerRule(TriggerRule.OneSuccess).DependsOn(d.Container("fast", "img"), d.Container("slow", "img")));

        await h.RunAsync(dag);

        Assert.Equal(h.Attempt("fast").End, h.Attempt("first").Start);
        Assert.True(h.Attempt("first").Start < h.Attempt("slow").End);
    }

    [Fact]
    public async Task A_skip_exit_code_skips_the_task_and_its_all_success_downstream()
    {
        var h = new ExecutorHarness();
        h.Runtime.Script("check", new SimulatedAttempt(Minute, ExitCode: 99));
        var dag = ExecutorHarness.Dag(d =>
        {
            var check = d.Container("check", "img").SkipOnExitCode(99);
            check.Then(d.Container("load", "img"));
            d.Container("report", "img").TriggerRule(TriggerRule.NoneFailed).DependsOn(check);
        });

        var outcome = await h.RunAsync(dag);

        Assert.Equal(RunState.Success, outcome.State);
        Assert.Equal(TaskState.Skipped, outcome.Tasks["check"]);
        Assert.Equal(TaskState.Skipped, outcome.Tasks["load"]);
        Assert.Equal(TaskState.Success, outcome.Tasks["report"]);
        Assert.DoesNotContain(h.Runtime.History, r => r.TaskId == "load");
    }

    [Fact]
    public async Task Retries_wait_their_delay_and_try_numbers_count_up()
    {
        var h = new ExecutorHarness();
        h.Runtime.Script("a", new SimulatedAttempt(Minute, ExitCode: 1), new SimulatedAttempt(Minute, ExitCode: 1), new SimulatedAttempt(Minute));
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img").Retries(2, delay: 5 * Minute).Args("<< try_number >>"));

        var outcome = await h.RunAsync(dag);

        Assert.Equal(TaskState.Success, outcome.Tasks["a"]);
        Assert.Equal(ExecutorHarness.Start + (6 * Minute), h.Attempt("a", 2).Start);
        Assert.Equal(ExecutorHarness.Start + (12 * Minute), h.Attempt("a", 3).Start);
        Assert.Equal(["3"], h.Attempt("a", 3).Attempt.Task.Args);
        Assert.Equal([AttemptState.Failed, AttemptState.Failed, AttemptState.Success], h.Store.LoadAttempts("d", outcome.Run.RunId, "a").Select(x => x.State));
        Assert.Contains(h.Observer.Changes, c => c is ("a", TaskState.UpForRetry, 1, _));
    }

    [Fact]
    public async Task Exponential_backoff_doubles_the_delay_up_to_the_max()
    {
        var h = new ExecutorHarness();
        h.Runtime.Script("a", new SimulatedAttempt(TimeSpan.Zero, ExitCode: 1));
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img").Retries(4, delay: Minute, exponentialBackoff: true, maxDelay: 3 * Minute));

        var outcome = await h.RunAsync(dag);

        var starts = Enumerable.Range(1, 5).Select(t => h.Attempt("a", t).Start - ExecutorHarness.Start).ToList();
        Assert.Equal([TimeSpan.Zero, Minute, 3 * Minute, 6 * Minute, 9 * Minute], starts);
        Assert.Equal(TaskState.Failed, outcome.Tasks["a"]);
    }

    [Theory]
    [InlineData(0.0, 60)]
    [InlineData(0.5, 90)]
    [InlineData(0.99, 119.4)]
    public void Jitter_stretches_a_backoff_into_its_doubling_interval(double jitter, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryDelays.For(new RetryPolicy(3, Minute, ExponentialBackoff: true), 1, jitter));

    [Fact]
    public async Task A_timeout_stops_the_attempt_and_fails_it()
    {
        var h = new ExecutorHarness();
        h.Runtime.Script("slow", new SimulatedAttempt(TimeSpan.FromHours(1)));
        var dag = ExecutorHarness.Dag(d => d.Container("slow", "img").Timeout(2 * Minute));

        var outcome = await h.RunAsync(dag);

        Assert.Equal(TaskState.Failed, outcome.Tasks["slow"]);
        Assert.Equal(ExecutorHarness.Start + (2 * Minute), h.Attempt("slow").End);
        Assert.StartsWith("timed out after 00:02:00", h.Store.LoadTasks("d", outcome.Run.RunId).Single().Reason);
    }

    [Fact]
    public async Task Max_active_tasks_bounds_how_many_run_at_once()
    {
        var h = new ExecutorHarness();
        h.Runtime.Default = _ => new SimulatedAttempt(Minute);
        var dag = ExecutorHarness.Dag(d => { for (var i = 0; i < 10; i++) { d.Container($"t{i}", "img"); } }, maxActive: 3);

        await h.RunAsync(dag);

        Assert.Equal(3, h.Runtime.MaxConcurrent);
        Assert.Equal(ExecutorHarness.Start + (4 * Minute), h.Runtime.History.Max(r => r.End));
    }

    [Fact]
    public async Task A_pool_bounds_its_tasks_while_others_keep_running()
    {
        var h = new ExecutorHarness(new ExecutorOptions { Pools = new Dictionary<string, int> { ["db"] = 2 } });
        h.Runtime.Default = _ => new SimulatedAttempt(Minute);
        var dag = ExecutorHarness.Dag(d =>
        {
            for (var i = 0; i < 6; i++)
            {
                d.Container($"db{i}", "img").Pool("db");
            }

            d.Container("free", "img");
        });

        await h.RunAsync(dag);

        var db = h.Runtime.History.Where(r => r.TaskId.StartsWith("db", StringComparison.Ordinal)).ToList();
        foreach (var run in db)
        {
            Assert.True(db.Count(o => o.Start <= run.Start && o.End > run.Start) <= 2);
        }

        Assert.Equal(ExecutorHarness.Start, h.Attempt("free").Start);
        Assert.Equal(ExecutorHarness.Start + (3 * Minute), db.Max(r => r.End));
    }

    [Fact]
    public async Task An_unknown_pool_is_a_definition_error_before_anything_starts()
    {
        var h = new ExecutorHarness();
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img").Pool("gpu"));

        var ex = await Assert.ThrowsAsync<PipelineDefinitionException>(() => h.Executor.RunAsync(ExecutorHarness.Run(dag), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("pool 'gpu' does not exist", ex.Problems.Single().Message);
        Assert.Empty(h.Runtime.History);
    }

    [Fact]
    public async Task An_attempt_lost_to_a_host_crash_on_adoption_is_retried_at_once_without_spending_a_retry_even_past_its_timeout()
    {
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img").Retries(0).Timeout(Minute));
        var run = ExecutorHarness.Run(dag);
        var store = StoreWithLiveAttempt(dag, AttemptState.Running, "pid:42:start:7", ago: TimeSpan.FromHours(2)); // down longer than the timeout
        var h = new ExecutorHarness(store: store);
        h.Runtime.Adopt = (_, _) => AttemptResult.Lost(AttemptLoss.HostCrash, "host-crash: the attempt's process ended without recording an exit status");

        var outcome = await h.RunAsync(dag);

        Assert.Equal(TaskState.Success, outcome.Tasks["a"]);
        Assert.Equal([("a", 1, "pid:42:start:7")], h.Runtime.Adopted);
        Assert.Equal(ExecutorHarness.Start, h.Attempt("a", 2).Start); // at once, no retry delay
        var attempts = store.LoadAttempts("d", run.RunId, "a");
        Assert.Equal([(1, AttemptState.Failed), (2, AttemptState.Success)], attempts.Select(x => (x.TryNumber, x.State)));
        Assert.StartsWith("host-crash", attempts[0].Reason);
    }

    [Fact]
    public async Task An_attempt_that_finished_while_the_host_was_down_is_read_on_adoption_not_run_again()
    {
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img").Timeout(Minute).Then(d.Container("b", "img").Args("<< tasks.a.output.rows >>")));
        var run = ExecutorHarness.Run(dag);
        var store = StoreWithLiveAttempt(dag, AttemptState.Running, "pid:42:start:7", ago: TimeSpan.FromHours(2));
        var h = new ExecutorHarness(store: store);
        h.Runtime.Adopt = (_, _) => AttemptResult.Exited(0, """{"rows": 7}""");

        var outcome = await h.RunAsync(dag);

        Assert.Equal(RunState.Success, outcome.State);
        Assert.DoesNotContain(h.Runtime.History, r => r.TaskId == "a");
        Assert.Equal(["7"], h.Attempt("b").Attempt.Task.Args);
        Assert.Equal(AttemptState.Success, store.LoadAttempts("d", run.RunId, "a").Single().State);
    }

    [Fact]
    public async Task The_handle_a_runtime_reports_is_in_the_store_while_the_attempt_runs()
    {
        var h = new ExecutorHarness();
        h.Runtime.Script("a", new SimulatedAttempt(Minute));
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img"));
        var running = h.Executor.RunAsync(ExecutorHarness.Run(dag), h.Observer, TestContext.Current.CancellationToken);
        await h.Executor.WhenIdleAsync();

        var attempt = h.Store.LoadAttempts("d", ExecutorHarness.Run(dag).RunId, "a").Single();
        h.Time.Advance(Minute);
        await running;

        Assert.Equal(AttemptState.Running, attempt.State);
        Assert.StartsWith("simulated:d/", attempt.Handle);
    }

    [Fact]
    public async Task A_resumed_run_keeps_skipped_tasks_skipped()
    {
        var store = new InMemoryRunStore();
        var dag = ExecutorHarness.Dag(d =>
        {
            d.Container("check", "img").SkipOnExitCode(99).Then(d.Container("load", "img"));
            d.Container("other", "img");
        });
        var first = new ExecutorHarness(store: store);
        first.Runtime.Script("check", new SimulatedAttempt(Minute, ExitCode: 99)).Script("other", new SimulatedAttempt(Minute, ExitCode: 1));
        await first.RunAsync(dag);

        var resumed = new ExecutorHarness(store: store);
        var outcome = await resumed.RunAsync(dag);

        Assert.Equal(TaskState.Skipped, outcome.Tasks["check"]);
        Assert.Equal(TaskState.Skipped, outcome.Tasks["load"]);
        Assert.Equal(TaskState.Success, outcome.Tasks["other"]);
        Assert.Equal(["other"], resumed.Runtime.History.Select(r => r.TaskId));
    }

    [Fact]
    public async Task The_task_with_the_longest_path_below_it_starts_first()
    {
        var h = new ExecutorHarness();
        h.Runtime.Default = _ => new SimulatedAttempt(Minute);
        var dag = ExecutorHarness.Dag(
            d =>
            {
                d.Container("short", "img");
                d.Container("long", "img").Then(d.Container("long2", "img")).Then(d.Container("long3", "img"));
                d.Container("mid", "img").Then(d.Container("mid2", "img"));
            },
            maxActive: 1);

        await h.RunAsync(dag);

        // Longest remaining path first; equal paths in declaration order.
        Assert.Equal(["long", "long2", "mid", "short", "long3", "mid2"], h.Runtime.History.OrderBy(r => r.Start).Select(r => r.TaskId));
    }

    [Fact]
    public async Task Cancellation_stops_running_attempts_and_records_them_cancelled()
    {
        var h = new ExecutorHarness();
        h.Runtime.Default = _ => new SimulatedAttempt(TimeSpan.FromHours(1));
        using var cts = new CancellationTokenSource();
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img").Then(d.Container("b", "img")));

        var outcome = await h.RunAsync(dag, cts, step: Minute, onStep: elapsed =>
        {
            if (elapsed == 5 * Minute)
            {
                cts.Cancel();
            }
        });

        Assert.Equal(RunState.Cancelled, outcome.State);
        Assert.Equal(TaskState.Cancelled, outcome.Tasks["a"]);
        Assert.Equal(TaskState.None, outcome.Tasks["b"]);
        Assert.Empty(h.Runtime.LiveAttempts);
        Assert.Equal(AttemptState.Cancelled, h.Store.LoadAttempts("d", outcome.Run.RunId, "a").Single().State);
        Assert.Equal(RunState.Cancelled, h.Store.FindRun("d", outcome.Run.RunId)!.State);
    }

    [Fact]
    public async Task A_rerun_keeps_succeeded_tasks_and_gives_failed_ones_new_try_numbers()
    {
        var store = new InMemoryRunStore();
        var first = new ExecutorHarness(store: store);
        first.Runtime.Script("b", new SimulatedAttempt(Minute, ExitCode: 1));
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img").Then(d.Container("b", "img")).Then(d.Container("c", "img")));
        var failed = await first.RunAsync(dag);

        var second = new ExecutorHarness(store: store);
        var resumed = await second.RunAsync(dag);

        Assert.Equal(RunState.Failed, failed.State);
        Assert.Equal(RunState.Success, resumed.State);
        Assert.Equal(["b", "c"], second.Runtime.History.Select(r => r.TaskId));
        Assert.Equal(2, second.Attempt("b", 2).TryNumber);
        Assert.Equal([1, 2], store.LoadAttempts("d", resumed.Run.RunId, "b").Select(a => a.TryNumber));
    }

    [Fact]
    public async Task An_attempt_recorded_as_started_that_the_runtime_never_saw_runs_again_with_a_new_try()
    {
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img"));
        var run = ExecutorHarness.Run(dag);
        var store = StoreWithLiveAttempt(dag, AttemptState.Starting, handle: null, ago: TimeSpan.Zero);
        var h = new ExecutorHarness(store: store);

        var outcome = await h.RunAsync(dag);

        Assert.Equal(TaskState.Success, outcome.Tasks["a"]);
        Assert.Equal(2, h.Runtime.History.Single().TryNumber);
        var attempts = store.LoadAttempts("d", run.RunId, "a");
        Assert.Equal([(1, AttemptState.Failed), (2, AttemptState.Success)], attempts.Select(x => (x.TryNumber, x.State)));
        Assert.StartsWith("host-crash", attempts[0].Reason);
    }

    [Fact]
    public async Task A_template_that_fails_at_run_time_fails_the_task_without_retry()
    {
        var h = new ExecutorHarness();
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img").Retries(3).Args("<< var.missing >>"));

        var outcome = await h.RunAsync(dag);

        Assert.Equal(TaskState.Failed, outcome.Tasks["a"]);
        Assert.Empty(h.Runtime.History);
        Assert.StartsWith("resolve: field 'args[0]'", h.Store.LoadTasks("d", outcome.Run.RunId).Single().Reason);
    }

    [Fact]
    public async Task Log_lines_are_masked_and_reach_the_observer()
    {
        var masker = new SecretMasker();
        masker.Add("hunter2");
        var h = new ExecutorHarness(new ExecutorOptions { Masker = masker });
        h.Runtime.Script("a", new SimulatedAttempt(Minute, Logs: ["connecting with hunter2", "done"]));

        await h.RunAsync(ExecutorHarness.Dag(d => d.Container("a", "img")));

        Assert.Equal(["connecting with ***", "done"], h.Observer.Lines.Select(l => l.Line));
    }

    [Fact]
    public async Task The_test_mode_runs_only_the_named_task_ignoring_its_upstream()
    {
        var h = new ExecutorHarness(new ExecutorOptions { Scope = RunScope.Alone(["b"]) });
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img").Then(d.Container("b", "img")));

        var outcome = await h.RunAsync(dag);

        Assert.Equal(["b"], h.Runtime.History.Select(r => r.TaskId));
        Assert.Equal(RunState.Success, outcome.State);
    }

    // What a host that died leaves: the run, task a running, its attempt 1 in `state`, started `ago` before now.
    private static InMemoryRunStore StoreWithLiveAttempt(Dag dag, AttemptState state, string? handle, TimeSpan ago)
    {
        var store = new InMemoryRunStore();
        var run = ExecutorHarness.Run(dag);
        var started = ExecutorHarness.Start - ago;
        var batch = new StoreBatch();
        batch.Runs.Add(new DagRunRecord("d", run.RunId, run.LogicalDate, RunState.Running, "local", "simulated", "{}", started, null));
        batch.Tasks.Add(("d", run.RunId, new TaskInstanceRecord("a", TaskState.Running, 1, null, started)));
        batch.Attempts.Add(("d", run.RunId, new AttemptRecord("a", 1, state, started, null, null, null, null, handle, null)));
        store.Commit(batch);
        return store;
    }
}
