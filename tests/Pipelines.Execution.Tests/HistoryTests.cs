using Pipelines.Execution.State;
using Pipelines.Resolution;
using Pipelines.Testing;

namespace Pipelines.Execution.Tests;

/// <summary>
/// <c>history.*</c>: a task's template reads what its last successful attempts used, as the run store recorded it — the
/// seed's "dynamic resource allocation from historical metrics" as one expression.
/// </summary>
public sealed class HistoryTests
{
    private const string Sized = "<< history.memory_peak_max ?? \"1Gi\" >>";

    [Fact]
    public async Task A_task_is_sized_from_the_largest_peak_of_its_last_five_successes_and_from_its_default_before_any()
    {
        var dag = ExecutorHarness.Dag(d => d.Container("etl", "img").Resources(limits: new(Memory: Sized)));
        var store = new InMemoryRunStore();
        // Six earlier successes: the oldest (300 MiB) is out of the window of five; the largest inside is 96 MiB + 1 byte.
        long[] peaks = [300L << 20, 10L << 20, (96L << 20) + 1, 20L << 20, 64L << 20, 30L << 20];
        for (var i = 0; i < peaks.Length; i++)
        {
            Record(store, $"earlier_{i}", new AttemptRecord("etl", 1, AttemptState.Success, ExecutorHarness.Start.AddDays(i), ExecutorHarness.Start.AddDays(i).AddMinutes(1), 0, null, null, null, null, "docker")
            {
                MemoryPeakBytes = peaks[i],
                CpuSeconds = i,
            });
        }

        var fresh = new ExecutorHarness();
        var sized = new ExecutorHarness(store: store);
        string? first = null, second = null;
        fresh.Runtime.Script("etl", a => { first = a.Task.Resources.Limits.Memory; return SimulatedAttempt.Instant; });
        sized.Runtime.Script("etl", a => { second = a.Task.Resources.Limits.Memory; return SimulatedAttempt.Instant; });

        await fresh.RunAsync(dag);
        await sized.RunAsync(dag);

        Assert.Equal("1Gi", first);
        Assert.Equal("97Mi", second);
    }

    [Fact]
    public void Every_member_of_history_is_null_before_a_measured_success_and_the_count_is_zero()
    {
        var dag = ExecutorHarness.Dag(d => d.Container("t", "img").Command(
            "echo",
            "<< history.attempts >>",
            "<< history.memory_peak_max_bytes ?? \"none\" >>",
            "<< history.cpu_seconds_max ?? \"none\" >>",
            "<< history.duration_seconds_max ?? \"none\" >>"));
        var run = ExecutorHarness.Run(dag);

        var before = TaskResolver.Resolve(run, dag["t"]);
        var after = TaskResolver.Resolve(run with { History = new Dictionary<string, TaskHistory> { ["t"] = new(2, 1L << 20, 1.5, TimeSpan.FromSeconds(90)) } }, dag["t"]);

        Assert.Equal(["echo", "0", "none", "none", "none"], before.Task.Command);
        Assert.Equal(["echo", "2", "1048576", "1.5", "90"], after.Task.Command);
    }

    [Fact]
    public void A_member_history_does_not_have_is_a_definition_error_naming_the_members()
    {
        var error = Assert.Throws<PipelineDefinitionException>(() =>
            ExecutorHarness.Dag(d => d.Container("t", "img").Resources(limits: new(Memory: "<< history.memory_peak ?? \"1Gi\" >>"))));

        Assert.Contains("'history.memory_peak' is not a member of history; its members: attempts, cpu_seconds_max, duration_seconds_max, memory_peak_max, memory_peak_max_bytes", error.Message);
    }

    private static void Record(InMemoryRunStore store, string runId, AttemptRecord attempt)
    {
        var batch = new StoreBatch();
        batch.Runs.Add(new DagRunRecord("d", runId, ExecutorHarness.Start, RunState.Success, "local", "docker", "{}", attempt.StartedAt, attempt.EndedAt));
        batch.Tasks.Add(("d", runId, new TaskInstanceRecord(attempt.TaskId, TaskState.Success, 1, null, attempt.StartedAt)));
        batch.Attempts.Add(("d", runId, attempt));
        store.Commit(batch);
    }
}
