using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Testing;

namespace Pipelines.Execution.Tests;

/// <summary>What a resumed run does with what an earlier host left: the runtime it used, the attempts the runtime still has, the log it kept.</summary>
public sealed class ResumeTests : IDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly string _logs = Directory.CreateTempSubdirectory("pipelines-resume-").FullName;

    public void Dispose() => Directory.Delete(_logs, recursive: true);

    [Theory]
    [InlineData("docker", "simulated")] // recorded with the attempt (store version 3)
    [InlineData(null, "process")] // recorded before version 3: the run's runtime
    public async Task A_live_attempt_another_runtime_started_is_never_adopted_and_nothing_starts(string? attemptRuntime, string runRuntime)
    {
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img").Then(d.Container("b", "img")));
        var store = Store(dag, runRuntime, new AttemptRecord("a", 1, AttemptState.Running, ExecutorHarness.Start, null, null, null, null, "pid:1:start:2", null, attemptRuntime));
        var h = new ExecutorHarness(store: store);

        var error = await Assert.ThrowsAsync<RuntimeMismatchException>(() => h.RunAsync(dag));

        var elsewhere = attemptRuntime ?? runRuntime;
        Assert.Equal([("a", elsewhere)], error.Attempts);
        Assert.Contains($"the {elsewhere} runtime started 'a'", error.Message);
        Assert.Contains($"Resume with --runtime {elsewhere}", error.Message);
        Assert.Empty(h.Runtime.Adopted);
        Assert.Empty(h.Runtime.History);
        Assert.Equal(0, h.Runtime.OpenSessions);
        Assert.Equal(AttemptState.Running, store.LoadAttempts("d", ExecutorHarness.Run(dag).RunId, "a").Single().State);
    }

    [Fact]
    public async Task A_run_opens_one_session_of_its_runtime_and_disposes_it_at_the_end()
    {
        var h = new ExecutorHarness();

        await h.RunAsync(ExecutorHarness.Dag(d => d.Container("a", "img").Then(d.Container("b", "img"))));

        Assert.Equal((1, 0), (h.Runtime.SessionsOpened, h.Runtime.OpenSessions));
    }

    [Fact]
    public async Task What_the_runtime_still_has_of_ended_or_unrecorded_attempts_is_forgotten_when_a_run_resumes()
    {
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img"));
        var run = ExecutorHarness.Run(dag);
        var store = Store(dag, "simulated", new AttemptRecord("a", 1, AttemptState.Success, ExecutorHarness.Start, ExecutorHarness.Start, 0, null, null, null, null, "simulated"));
        var h = new ExecutorHarness(store: store);
        // The runtime still has a/1 (its end recorded, the host died before it forgot it) and a/7, which no store recorded.
        h.Runtime.Script("a", new SimulatedAttempt(TimeSpan.Zero), new SimulatedAttempt(TimeSpan.Zero), new SimulatedAttempt(TimeSpan.Zero), new SimulatedAttempt(TimeSpan.Zero), new SimulatedAttempt(TimeSpan.Zero), new SimulatedAttempt(TimeSpan.Zero), new SimulatedAttempt(TimeSpan.FromDays(1)));
        await using (var session = await h.Runtime.OpenAsync(run, TestContext.Current.CancellationToken))
        {
            await session.RunAsync(Pipelines.Resolution.TaskResolver.Resolve(run, dag["a"], 1), new NullSink(), TestContext.Current.CancellationToken);
            _ = session.RunAsync(Pipelines.Resolution.TaskResolver.Resolve(run, dag["a"], 7), new NullSink(), TestContext.Current.CancellationToken);
        }

        var outcome = await h.RunAsync(dag);

        Assert.Equal(RunState.Success, outcome.State);
        Assert.Equal([1, 7], h.Runtime.Forgotten.Select(k => k.TryNumber).Order());
        Assert.Empty(h.Runtime.LiveAttempts); // a/7 was stopped
    }

    [Fact]
    public async Task An_adopted_attempt_s_log_continues_after_the_kept_cursor_so_the_log_file_has_every_line_once()
    {
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img"));
        var run = ExecutorHarness.Run(dag);
        var log = RunPaths.LogPath(_logs, "d", run.RunId, "a", 1);
        var store = Store(dag, "simulated", new AttemptRecord("a", 1, AttemptState.Running, ExecutorHarness.Start, null, null, null, null, null, log, "simulated"));
        var h = new ExecutorHarness(new ExecutorOptions { LogFolder = _logs }, store);
        h.Runtime.Script("a", new SimulatedAttempt(Minute, Logs: ["l1", "l2", "l3", "l4", "l5"]));
        await using (var session = await h.Runtime.OpenAsync(run, TestContext.Current.CancellationToken))
        {
            _ = session.RunAsync(Pipelines.Resolution.TaskResolver.Resolve(run, dag["a"], 1), new NullSink(), TestContext.Current.CancellationToken); // the dead host's attempt, still running
        }

        // The dead host wrote l1–l3 and half of l4, and kept the cursor after l2 (the simulated runtime's cursor is a line count).
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        File.WriteAllText(log, "l1\nl2\nl3\nl4-cut-sh");
        File.WriteAllText(AttemptLogSink.CursorFile(log), "0000000000000000002 2\n");

        var outcome = await h.RunAsync(dag);

        Assert.Equal(RunState.Success, outcome.State);
        Assert.Equal("l1\nl2\nl3\nl4\nl5\n", File.ReadAllText(log));
        Assert.Equal(["l4", "l5"], h.Observer.Lines.Select(l => l.Line)); // only what the dead host had not shown
        Assert.False(File.Exists(AttemptLogSink.CursorFile(log))); // removed once the end is recorded
    }

    private static InMemoryRunStore Store(Dag dag, string runRuntime, AttemptRecord attempt)
    {
        var store = new InMemoryRunStore();
        var run = ExecutorHarness.Run(dag);
        var batch = new StoreBatch();
        batch.Runs.Add(new DagRunRecord("d", run.RunId, run.LogicalDate, RunState.Running, "local", runRuntime, "{}", ExecutorHarness.Start, null));
        var state = attempt.State == AttemptState.Success ? TaskState.Success : TaskState.Running;
        batch.Tasks.Add(("d", run.RunId, new TaskInstanceRecord(attempt.TaskId, state, attempt.TryNumber, null, ExecutorHarness.Start)));
        batch.Attempts.Add(("d", run.RunId, attempt));
        store.Commit(batch);
        return store;
    }

    private sealed class NullSink : IAttemptSink
    {
        public ValueTask StartedAsync(string handle) => ValueTask.CompletedTask;

        public void Log(in LogLine line)
        {
        }
    }
}
