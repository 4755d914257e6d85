using System.Text;
using Pipelines.Execution;
using Pipelines.Execution.State;

namespace Pipelines.Execution.Tests.State;

/// <summary>The behaviour every <see cref="IRunStore"/> must have; each store runs it through a derived class.</summary>
public abstract class RunStoreContractTests : IDisposable
{
    private IRunStore? _store;

    protected static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.FromHours(1)).AddTicks(1_234_567);

    /// <summary>The store under test, created on first use.</summary>
    protected IRunStore Store => _store ??= CreateStore();

    protected abstract IRunStore CreateStore();

    public virtual void Dispose()
    {
        _store?.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static DagRunRecord Run(string runId, DateTimeOffset? logicalDate = null, RunState state = RunState.Running, string dagId = "etl") =>
        new(dagId, runId, logicalDate ?? T0, state, "local", "process", """{"n":1}""", T0.AddMinutes(1), null);

    protected static TaskInstanceRecord Task(string taskId, TaskState state = TaskState.Queued, int tryNumber = 0) =>
        new(taskId, state, tryNumber, null, T0.AddMinutes(2));

    protected static AttemptRecord Attempt(string taskId, int tryNumber, AttemptState state = AttemptState.Running, TimeSpan? duration = null) =>
        new(taskId, tryNumber, state, T0.AddMinutes(3), duration is { } d ? T0.AddMinutes(3) + d : null, null, null, null, null, null, "process");

    /// <summary>Commits a run with its tasks and attempts in one batch.</summary>
    protected void Commit(DagRunRecord? run = null, IEnumerable<TaskInstanceRecord>? tasks = null, IEnumerable<AttemptRecord>? attempts = null, string dagId = "etl", string runId = "r1")
    {
        var batch = new StoreBatch();
        if (run is not null)
        {
            batch.Runs.Add(run);
        }

        batch.Tasks.AddRange((tasks ?? []).Select(t => (dagId, runId, t)));
        batch.Attempts.AddRange((attempts ?? []).Select(a => (dagId, runId, a)));
        Store.Commit(batch);
    }

    [Fact]
    public void Unknown_runs_have_no_records()
    {
        Assert.Null(Store.FindRun("etl", "nope"));
        Assert.Empty(Store.ListRuns("etl"));
        Assert.Empty(Store.LoadTasks("etl", "nope"));
        Assert.Empty(Store.LoadAttempts("etl", "nope"));
        Assert.Empty(Store.PastDurations("etl"));
    }

    [Fact]
    public void A_store_has_an_id_that_does_not_change()
    {
        var id = Store.StoreId;
        Commit(Run("r1"));

        Assert.Matches("^[0-9a-f]{12}$", id);
        Assert.Equal(id, Store.StoreId);
    }

    [Fact]
    public void An_empty_batch_writes_nothing()
    {
        Store.Commit(new StoreBatch());

        Assert.Empty(Store.ListRuns("etl"));
    }

    [Fact]
    public void Records_with_the_same_key_are_replaced()
    {
        Commit(Run("r1"), [Task("a"), Task("b")], [Attempt("a", 1)]);

        Commit(
            Run("r1") with { State = RunState.Success, EndedAt = T0.AddHours(1) },
            [Task("a", TaskState.Success, 1) with { Reason = "done" }],
            [Attempt("a", 1, AttemptState.Success, TimeSpan.FromSeconds(5)), Attempt("a", 2)]);

        var run = Assert.Single(Store.ListRuns("etl"));
        Assert.Equal(RunState.Success, run.State);
        Assert.Equal(T0.AddHours(1), run.EndedAt);
        Assert.Equal(run, Store.FindRun("etl", "r1"));
        Assert.Equal([Task("a", TaskState.Success, 1) with { Reason = "done" }, Task("b")], Store.LoadTasks("etl", "r1"));
        Assert.Equal([Attempt("a", 1, AttemptState.Success, TimeSpan.FromSeconds(5)), Attempt("a", 2)], Store.LoadAttempts("etl", "r1"));
    }

    [Fact]
    public void Replacing_a_run_keeps_its_tasks_and_attempts()
    {
        Commit(Run("r1"), [Task("a")], [Attempt("a", 1)]);

        Commit(Run("r1") with { State = RunState.Failed });

        Assert.Single(Store.LoadTasks("etl", "r1"));
        Assert.Single(Store.LoadAttempts("etl", "r1"));
    }

    [Fact]
    public void Records_of_one_batch_may_depend_on_each_other()
    {
        Commit(Run("r1"), [Task("a", TaskState.Running, 1)], [Attempt("a", 1, AttemptState.Starting)]);

        Assert.Equal(AttemptState.Starting, Assert.Single(Store.LoadAttempts("etl", "r1")).State);
    }

    public static TheoryData<string> BrokenRecords => ["attempt without task state", "task of an unknown run", "negative try number", "attempt try 0", "null id", "undefined state"];

    [Theory]
    [MemberData(nameof(BrokenRecords))]
    public void A_batch_that_breaks_a_rule_midway_writes_nothing(string broken)
    {
        Commit(Run("r1"), [Task("a")], [Attempt("a", 1)]);
        var batch = new StoreBatch();
        batch.Runs.Add(Run("r1") with { State = RunState.Success });
        batch.Runs.Add(Run("r2"));
        batch.Tasks.Add(("etl", "r1", Task("a", TaskState.Success, 1)));
        batch.Tasks.Add(("etl", "r2", Task("x")));
        batch.Attempts.Add(("etl", "r1", Attempt("a", 1, AttemptState.Success, TimeSpan.FromSeconds(1))));
        switch (broken)
        {
            case "attempt without task state":
                batch.Attempts.Add(("etl", "r2", Attempt("ghost", 1)));
                break;
            case "task of an unknown run":
                batch.Tasks.Add(("etl", "r9", Task("y")));
                break;
            case "negative try number":
                batch.Tasks.Add(("etl", "r2", Task("y", tryNumber: -1)));
                break;
            case "attempt try 0":
                batch.Attempts.Add(("etl", "r2", Attempt("x", 0)));
                break;
            case "null id":
                batch.Tasks.Add(("etl", "r2", Task(null!)));
                break;
            case "undefined state":
                batch.Attempts.Add(("etl", "r2", Attempt("x", 1, (AttemptState)42)));
                break;
        }

        var error = Assert.Throws<RunStoreException>(() => Store.Commit(batch));

        Assert.Contains("nothing of the batch was written", error.Message, StringComparison.Ordinal);
        Assert.Equal(Store.Location, error.Location);
        Assert.Equal(Run("r1"), Assert.Single(Store.ListRuns("etl")));
        Assert.Equal([Task("a")], Store.LoadTasks("etl", "r1"));
        Assert.Equal([Attempt("a", 1)], Store.LoadAttempts("etl", "r1"));
        Assert.Empty(Store.LoadTasks("etl", "r2"));
        Assert.Empty(Store.PastDurations("etl"));

        // The store is still usable after a failed batch.
        Commit(Run("r2"));
        Assert.Equal(2, Store.ListRuns("etl").Count);
    }

    [Fact]
    public void Runs_are_listed_newest_logical_date_first_whatever_their_offsets()
    {
        // 22:00Z, 23:00Z, 21:00Z: text order of the ISO strings would put the +03:00 one first.
        var east = Run("east", new DateTimeOffset(2026, 1, 2, 1, 0, 0, TimeSpan.FromHours(3)));
        var utc = Run("utc", new DateTimeOffset(2026, 1, 1, 23, 0, 0, TimeSpan.Zero));
        var west = Run("west", new DateTimeOffset(2026, 1, 1, 16, 0, 0, TimeSpan.FromHours(-5)));
        var other = Run("other", new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), dagId: "other");
        var batch = new StoreBatch();
        batch.Runs.AddRange([west, other, east, utc]);
        Store.Commit(batch);

        Assert.Equal(["utc", "east", "west"], Store.ListRuns("etl").Select(r => r.RunId));
        Assert.Equal(["other"], Store.ListRuns("other").Select(r => r.RunId));
    }

    [Fact]
    public void Runs_of_the_same_logical_date_are_listed_latest_start_first()
    {
        var batch = new StoreBatch();
        batch.Runs.AddRange([Run("early"), Run("late") with { StartedAt = T0.AddHours(5) }]);
        Store.Commit(batch);

        Assert.Equal(["late", "early"], Store.ListRuns("etl").Select(r => r.RunId));
    }

    [Fact]
    public void Tasks_and_attempts_come_back_in_task_then_try_order_for_their_run_only()
    {
        Commit(Run("r1"), [Task("b"), Task("a"), Task("c")]);
        Commit(attempts: [Attempt("b", 10), Attempt("b", 2), Attempt("a", 2), Attempt("b", 1), Attempt("a", 1)]);
        Commit(Run("r2"), [Task("a")], [Attempt("a", 1)], runId: "r2");

        Assert.Equal(["a", "b", "c"], Store.LoadTasks("etl", "r1").Select(t => t.TaskId));
        Assert.Equal(
            ["a1", "a2", "b1", "b2", "b10"],
            Store.LoadAttempts("etl", "r1").Select(a => a.TaskId + a.TryNumber));
        Assert.Equal([1, 2, 10], Store.LoadAttempts("etl", "r1", "b").Select(a => a.TryNumber));
        Assert.Empty(Store.LoadAttempts("etl", "r1", "c"));
        Assert.Single(Store.LoadAttempts("etl", "r2"));
    }

    [Fact]
    public void Past_durations_are_the_median_of_successful_attempts_per_task_across_runs()
    {
        var seconds = (int s) => TimeSpan.FromSeconds(s);
        Commit(Run("r1"), [Task("odd"), Task("even"), Task("failing")],
            [Attempt("odd", 1, AttemptState.Failed, seconds(999)), Attempt("odd", 2, AttemptState.Success, seconds(10)),
             Attempt("even", 1, AttemptState.Success, seconds(10)), Attempt("failing", 1, AttemptState.Failed, seconds(5))]);
        Commit(Run("r2"), [Task("odd"), Task("even")],
            [Attempt("odd", 1, AttemptState.Success, seconds(30)), Attempt("even", 1, AttemptState.Success, TimeSpan.FromMilliseconds(20_001))],
            runId: "r2");
        Commit(Run("r3"), [Task("odd"), Task("even")],
            [Attempt("odd", 1, AttemptState.Success, seconds(20)), Attempt("even", 1, AttemptState.Running), Attempt("even", 2, AttemptState.Skipped, seconds(1))],
            runId: "r3");
        Commit(Run("r1", dagId: "other"), [Task("odd")], [Attempt("odd", 1, AttemptState.Success, seconds(1000))], dagId: "other");

        var durations = Store.PastDurations("etl");

        Assert.Equal(2, durations.Count);
        Assert.Equal(seconds(20), durations["odd"]);
        Assert.Equal(TimeSpan.FromMilliseconds(15_000.5), durations["even"]);
        Assert.Equal(seconds(1000), Assert.Single(Store.PastDurations("other")).Value);
    }

    [Fact]
    public void History_is_what_the_last_five_successes_of_each_task_used_across_runs()
    {
        var seconds = (int s) => TimeSpan.FromSeconds(s);
        var attempts = Enumerable.Range(1, 6).Select(i => Attempt("t", i, AttemptState.Success, seconds(i)) with
        {
            StartedAt = new DateTimeOffset(2026, 11, i, 0, 0, 0, TimeSpan.Zero),
            EndedAt = new DateTimeOffset(2026, 11, i, 0, 0, 0, TimeSpan.Zero) + seconds(i * 10),
            MemoryPeakBytes = i == 1 ? 1L << 40 : i << 20,
            CpuSeconds = i == 1 ? 999 : i / 2.0,
        }).Append(Attempt("t", 7, AttemptState.Failed, seconds(5)) with { MemoryPeakBytes = 1L << 41 }).Append(Attempt("unmeasured", 1, AttemptState.Success, seconds(3)));
        Commit(Run("r1"), [Task("t"), Task("unmeasured")], attempts);

        var history = Store.History("etl");

        Assert.Equal(new TaskHistory(5, 6L << 20, 3.0, seconds(60)), history["t"]);
        Assert.Equal(new TaskHistory(1, null, null, seconds(3)), history["unmeasured"]);
        Assert.Empty(Store.History("other"));
    }

    [Fact]
    public void Every_field_round_trips_exactly()
    {
        var (run, tasks, attempts) = FullRecords();

        Commit(run, tasks, attempts, dagId: run.DagId, runId: run.RunId);

        AssertRoundTrip(Store, run, tasks, attempts);
    }

    [Fact]
    public void A_run_is_locked_once_until_released()
    {
        using (var first = Store.TryLockRun("etl", "manual__2026-11-25T00:00:00+00:00", out var none))
        {
            Assert.NotNull(first);
            Assert.Null(none);

            Assert.Null(Store.TryLockRun("etl", "manual__2026-11-25T00:00:00+00:00", out var holder));
            Assert.NotNull(holder);
            Assert.Contains($"pid {Environment.ProcessId}", holder, StringComparison.Ordinal);
            Assert.Contains(Environment.MachineName, holder, StringComparison.Ordinal);

            using var otherRun = Store.TryLockRun("etl", "manual__2026-11-26T00:00:00+00:00", out _);
            Assert.NotNull(otherRun);
            using var otherDag = Store.TryLockRun("other", "manual__2026-11-25T00:00:00+00:00", out _);
            Assert.NotNull(otherDag);

            first.Dispose();
        }

        using var again = Store.TryLockRun("etl", "manual__2026-11-25T00:00:00+00:00", out var after);
        Assert.NotNull(again);
        Assert.Null(after);
    }

    /// <summary>A run, task and attempts using every field: odd offsets, sub-second ticks, nulls, unicode, a 4096-byte output.</summary>
    protected static (DagRunRecord Run, TaskInstanceRecord[] Tasks, AttemptRecord[] Attempts) FullRecords()
    {
        // 9 + 408 × 10 + 5 + 2 = 4096 UTF-8 bytes, with 2-, 3- and 4-byte characters.
        var json = "{\"text\":\"" + string.Concat(Enumerable.Repeat("é日😀x", 408)) + "xxxxx\"}";
        Assert.Equal(4096, Encoding.UTF8.GetByteCount(json));

        var india = TimeSpan.FromHours(5.5);
        var pacific = TimeSpan.FromHours(-7);
        var run = new DagRunRecord(
            "données_ü", "manual__2026-11-25T00:00:00+05:30", new DateTimeOffset(2026, 11, 25, 0, 0, 0, india),
            RunState.Cancelled, "staging", "kubernetes", """{"région":"Zürich","n":[1,2.5,null],"emoji":"🚀"}""",
            new DateTimeOffset(2026, 11, 25, 9, 8, 7, pacific).AddTicks(1), new DateTimeOffset(2026, 11, 26, 1, 2, 3, TimeSpan.FromMinutes(45)).AddTicks(9_999_999));
        TaskInstanceRecord[] tasks =
        [
            new("extract", TaskState.UpForRetry, 3, "exit code 137: „OOMKilled“ ✗", new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.FromHours(14)).AddTicks(42)),
            new("load", TaskState.None, 0, null, new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.FromHours(-12))),
            .. Enum.GetValues<TaskState>().Select(s => new TaskInstanceRecord("state_" + s, s, 1, null, T0)),
        ];
        AttemptRecord[] attempts =
        [
            new("extract", 3, AttemptState.Failed, new DateTimeOffset(2026, 11, 25, 1, 0, 0, india).AddTicks(7),
                new DateTimeOffset(2026, 11, 25, 1, 0, 0, pacific), -9, "lost: pod evicted — ノード", json, "pod/ns/extract-abc-3", "/tmp/ü/3.log"),
            new("extract", 1, AttemptState.Starting, T0, null, null, null, null, null, null),
            new("extract", 2, AttemptState.Success, T0, T0.AddTicks(1), 0, null, "", "", ""),
            .. Enum.GetValues<AttemptState>().Select(s => new AttemptRecord("state_" + TaskState.None, 10 + (int)s, s, T0, null, int.MaxValue, null, null, null, null)),
        ];
        return (run, tasks, attempts);
    }

    /// <summary>Checks records equal (records compare times by instant only) and every timestamp keeps its offset.</summary>
    protected static void AssertRoundTrip(IRunStore store, DagRunRecord run, TaskInstanceRecord[] tasks, AttemptRecord[] attempts)
    {
        var storedRun = store.FindRun(run.DagId, run.RunId);
        Assert.Equal(run, storedRun);
        Assert.Equal(Stamps(run), Stamps(storedRun!));

        var storedTasks = store.LoadTasks(run.DagId, run.RunId);
        Assert.Equal(tasks.OrderBy(t => t.TaskId, StringComparer.Ordinal), storedTasks);
        Assert.Equal(
            tasks.OrderBy(t => t.TaskId, StringComparer.Ordinal).Select(t => Stamp(t.UpdatedAt)),
            storedTasks.Select(t => Stamp(t.UpdatedAt)));

        var storedAttempts = store.LoadAttempts(run.DagId, run.RunId);
        var expected = attempts.OrderBy(a => a.TaskId, StringComparer.Ordinal).ThenBy(a => a.TryNumber).ToList();
        Assert.Equal(expected, storedAttempts);
        Assert.Equal(expected.Select(a => Stamp(a.StartedAt) + Stamp(a.EndedAt)), storedAttempts.Select(a => Stamp(a.StartedAt) + Stamp(a.EndedAt)));
    }

    private static string Stamps(DagRunRecord r) => Stamp(r.LogicalDate) + Stamp(r.StartedAt) + Stamp(r.EndedAt);

    private static string Stamp(DateTimeOffset? value) => value?.ToString("o", System.Globalization.CultureInfo.InvariantCulture) ?? "null";
}
