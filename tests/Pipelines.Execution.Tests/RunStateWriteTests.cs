using Pipelines.Execution;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Testing;

namespace Pipelines.Execution.Tests;

/// <summary>
/// A run whose state cannot be written (a full disk, a read-only folder) stops as on Ctrl+C: running
/// attempts are stopped, nothing else starts, nothing more is written, and the executor says why.
/// </summary>
public sealed class RunStateWriteTests : IDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly string _root = Directory.CreateTempSubdirectory("pipelines-state-write-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_commit_that_fails_mid_run_stops_running_attempts_starts_nothing_else_and_names_the_store()
    {
        // a ends first; the batch recording its end (and c's start) is refused while b still runs.
        var store = new RefusingRunStore(batch => batch.Attempts.Any(a => a.Attempt.TaskId == "a" && a.Attempt.State == AttemptState.Success));
        var h = new ExecutorHarness(store: store);
        h.Runtime.Script("a", new SimulatedAttempt(Minute)).Script("b", new SimulatedAttempt(TimeSpan.FromHours(1)));
        var dag = ExecutorHarness.Dag(d =>
        {
            d.Container("a", "img").Then(d.Container("c", "img"));
            d.Container("b", "img");
        });

        var ex = await Assert.ThrowsAsync<RunStateWriteException>(() => h.RunAsync(dag));

        Assert.Equal(RefusingRunStore.Path, ex.Path);
        Assert.Equal($"Could not write the run store '{RefusingRunStore.Path}': No space left on device. Running attempts were stopped and nothing else was started.", ex.Message);
        Assert.Empty(h.Runtime.LiveAttempts);
        Assert.Equal(ExecutorHarness.Start + Minute, h.Attempt("b").End); // stopped with a's end, not after its hour
        Assert.Contains(("b", TaskState.Cancelled, 1, "the run stopped: its state could not be written"), h.Observer.Changes);
        Assert.DoesNotContain(h.Runtime.History, r => r.TaskId == "c");
        Assert.Equal(1, store.Refused); // nothing more was tried: the store keeps its last whole state
        var runId = ExecutorHarness.Run(dag).RunId;
        Assert.Equal(RunState.Running, store.Written.FindRun("d", runId)!.State);
        Assert.Equal(AttemptState.Running, store.Written.LoadAttempts("d", runId, "a").Single().State);
    }

    [Fact]
    public async Task The_runtime_forgets_an_attempt_only_once_its_end_is_recorded()
    {
        // a ends first and is recorded; b's end is refused, so what b's runtime kept must stay for a resume.
        var store = new RefusingRunStore(batch => batch.Attempts.Any(a => a.Attempt.TaskId == "b" && a.Attempt.EndedAt is not null));
        var h = new ExecutorHarness(store: store);
        h.Runtime.Script("a", new SimulatedAttempt(Minute)).Script("b", new SimulatedAttempt(2 * Minute));
        var dag = ExecutorHarness.Dag(d =>
        {
            d.Container("a", "img");
            d.Container("b", "img");
        });

        await Assert.ThrowsAsync<RunStateWriteException>(() => h.RunAsync(dag));

        var runId = ExecutorHarness.Run(dag).RunId;
        Assert.Equal([new AttemptKey("d", runId, "a", 1)], h.Runtime.Forgotten);
        Assert.Equal(AttemptState.Success, store.Written.LoadAttempts("d", runId, "a").Single().State);
    }

    [Fact]
    public async Task An_attempt_whose_start_cannot_be_recorded_is_stopped()
    {
        var store = new RefusingRunStore(batch => batch.Attempts.Any(a => a.Attempt.State == AttemptState.Running));
        var h = new ExecutorHarness(store: store);
        h.Runtime.Default = _ => new SimulatedAttempt(TimeSpan.FromHours(1));
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img").Then(d.Container("b", "img")));

        var ex = await Assert.ThrowsAsync<RunStateWriteException>(() => h.RunAsync(dag));

        Assert.Equal(RefusingRunStore.Path, ex.Path);
        Assert.Empty(h.Runtime.LiveAttempts);
        Assert.Empty(h.Runtime.History); // the simulated runtime gives up at once when its start is refused; b never starts
        Assert.Equal(AttemptState.Starting, store.Written.LoadAttempts("d", ExecutorHarness.Run(dag).RunId, "a").Single().State);
    }

    [Fact]
    public async Task A_first_batch_the_store_refuses_starts_nothing()
    {
        var store = new RefusingRunStore(_ => true);
        var h = new ExecutorHarness(store: store);

        var ex = await Assert.ThrowsAsync<RunStoreException>(() => h.RunAsync(ExecutorHarness.Dag(d => d.Container("a", "img"))));

        Assert.Contains(RefusingRunStore.Path, ex.Message);
        Assert.Empty(h.Runtime.History);
    }

    [Fact]
    public async Task A_log_line_that_cannot_be_written_stops_the_run_and_names_the_log_file()
    {
        const string DevFull = "/dev/full"; // every write fails with ENOSPC, as on a full disk
        if (!File.Exists(DevFull))
        {
            Assert.Skip($"{DevFull} does not exist on this system (it is Linux's); no file can be made to fail a write.");
        }

        var h = new ExecutorHarness(new ExecutorOptions { LogFolder = _root });
        h.Runtime.Script("a", new SimulatedAttempt(TimeSpan.FromHours(1), Logs: ["writing"])).Script("b", new SimulatedAttempt(TimeSpan.FromHours(1)));
        var dag = ExecutorHarness.Dag(d =>
        {
            d.Container("a", "img").Then(d.Container("c", "img"));
            d.Container("b", "img");
        });
        var log = RunPaths.LogPath(_root, "d", ExecutorHarness.Run(dag).RunId, "a", 1);
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        File.CreateSymbolicLink(log, DevFull);

        var ex = await Assert.ThrowsAsync<RunStateWriteException>(() => h.RunAsync(dag));

        Assert.Equal(log, ex.Path);
        Assert.Equal($"Could not write the log file '{log}': No space left on device. Running attempts were stopped and nothing else was started.", ex.Message);
        Assert.Contains(("a", 1, "writing"), h.Observer.Lines); // the line still reaches the console
        Assert.Empty(h.Runtime.LiveAttempts);
        Assert.All(h.Runtime.History, r => Assert.Equal(ExecutorHarness.Start, r.End)); // stopped at once, not after an hour
        Assert.DoesNotContain(h.Runtime.History, r => r.TaskId == "c");
    }

    [Fact]
    public async Task A_log_folder_that_cannot_be_created_stops_the_run_at_the_attempts_first_line()
    {
        var h = new ExecutorHarness(new ExecutorOptions { LogFolder = _root });
        h.Runtime.Script("a", new SimulatedAttempt(TimeSpan.FromHours(1), Logs: ["hello"]));
        var dag = ExecutorHarness.Dag(d => d.Container("a", "img").Then(d.Container("b", "img")));
        var log = RunPaths.LogPath(_root, "d", ExecutorHarness.Run(dag).RunId, "a", 1);
        var taskFolder = Path.GetDirectoryName(log)!;
        Directory.CreateDirectory(Path.GetDirectoryName(taskFolder)!);
        File.WriteAllText(taskFolder, "a file where the task's log folder belongs");

        var ex = await Assert.ThrowsAsync<RunStateWriteException>(() => h.RunAsync(dag));

        Assert.Equal(log, ex.Path);
        Assert.StartsWith($"Could not write the log file '{log}': ", ex.Message);
        Assert.Empty(h.Runtime.LiveAttempts);
        Assert.All(h.Runtime.History, r => Assert.Equal(ExecutorHarness.Start, r.End)); // stopped at once, not after an hour
        Assert.DoesNotContain(h.Runtime.History, r => r.TaskId == "b");
    }

    [Fact]
    public async Task An_attempt_that_writes_no_line_makes_no_log_file()
    {
        var h = new ExecutorHarness(new ExecutorOptions { LogFolder = _root });

        var outcome = await h.RunAsync(ExecutorHarness.Dag(d => d.Container("quiet", "img")));

        Assert.Equal(RunState.Success, outcome.State);
        Assert.False(File.Exists(RunPaths.LogPath(_root, "d", outcome.Run.RunId, "quiet", 1)));
    }
}
