using System.Runtime.Versioning;
using Pipelines.Execution;
using Pipelines.Execution.Runtimes;
using Pipelines.Resolution;

namespace Pipelines.Processes.Tests;

[SupportedOSPlatform("linux")]
public sealed class ProcessRuntimeStopTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly ProcessTestBed _bed = new(fakeTime: true);

    public void Dispose() => _bed.Dispose();

    [Fact]
    public async Task Cancelling_terminates_the_whole_process_group_within_the_grace_period()
    {
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "sleep 100 & echo ready; sleep 100"));
        using var cancel = new CancellationTokenSource();

        var run = _bed.Runtime.RunAsync(attempt, sink, cancel.Token);
        await sink.LineAsync("ready");
        Assert.True(ProcessHandle.TryParse(await sink.Started, out var handle));
        Assert.True(_bed.Marked(attempt).Count >= 2);
        if (OperatingSystem.IsLinux())
        {
            var stat = ProcessTable.TryRead(handle.Pid);
            Assert.Equal(handle.StartTime, stat?.StartTime);
            Assert.Equal(handle.Pid, stat?.ProcessGroup);
        }

        await cancel.CancelAsync();
        var result = await run.WaitAsync(Limit, TestContext.Current.CancellationToken);

        // The fake clock never moved: SIGTERM alone ended it, before the grace period was over.
        Assert.Equal(AttemptOutcome.Stopped, result.Outcome);
        Assert.Contains("SIGTERM", result.Reason);
        Assert.Contains("within the 10s grace period", result.Reason);
        Assert.Equal(143, result.ExitCode);
        Assert.Empty(_bed.Marked(attempt));
    }

    [Theory]
    [InlineData(null, 10)]
    [InlineData(30, 30)]
    public async Task A_process_that_ignores_sigterm_is_killed_when_the_grace_period_is_over(int? graceSeconds, int expectedSeconds)
    {
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t =>
        {
            t.Command("sh", "-c", "trap '' TERM; sleep 100 & echo ready; wait");
            if (graceSeconds is { } seconds)
            {
                t.StopGracePeriod(TimeSpan.FromSeconds(seconds));
            }
        });
        using var cancel = new CancellationTokenSource();

        var run = _bed.Runtime.RunAsync(attempt, sink, cancel.Token);
        await sink.LineAsync("ready");
        await cancel.CancelAsync();
        var advanced = await AdvanceUntilDoneAsync(run);
        var result = await run;

        Assert.Equal(AttemptOutcome.Stopped, result.Outcome);
        Assert.Contains("SIGKILL", result.Reason);
        Assert.True(advanced >= TimeSpan.FromSeconds(expectedSeconds), $"killed after {advanced} of fake time");
        Assert.Equal(137, result.ExitCode);
        Assert.Empty(_bed.Marked(attempt));
    }

    [Fact]
    public async Task What_the_main_process_leaves_running_is_killed_when_it_exits()
    {
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "sleep 300 & sleep 300 >/dev/null 2>&1 & echo started"));

        var result = await _bed.RunAsync(attempt, sink).WaitAsync(Limit, TestContext.Current.CancellationToken);

        Assert.Equal(AttemptResult.Exited(0), result);
        Assert.Equal(["started"], sink.Lines);
        Assert.Empty(_bed.Marked(attempt));
    }

    [Fact]
    public async Task A_child_that_leaves_the_process_group_is_still_stopped_by_its_marker()
    {
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "setsid sleep 300 & echo ready; sleep 300"));

        var result = await CancelAfterAsync(attempt, "ready");

        Assert.Equal(AttemptOutcome.Stopped, result.Outcome);
        Assert.Empty(_bed.Marked(attempt));
    }

    [Fact]
    public async Task A_process_that_leaves_the_session_and_clears_its_environment_is_killed_when_the_task_ends()
    {
        ProcessRuntimeAdoptTests.CgroupsRequired();
        var token = Guid.NewGuid().ToString("N");
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", ProcessRuntimeAdoptTests.Escape(token) + "; echo started"));

        var result = await _bed.RunAsync(attempt).WaitAsync(Limit, TestContext.Current.CancellationToken);

        Assert.Equal(AttemptResult.Exited(0), result);
        Assert.Empty(ProcessRuntimeAdoptTests.ProcessesWith(token));
    }

    [Fact]
    public async Task A_process_that_leaves_the_session_and_clears_its_environment_is_stopped_with_the_attempt()
    {
        ProcessRuntimeAdoptTests.CgroupsRequired();
        var token = Guid.NewGuid().ToString("N");
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", ProcessRuntimeAdoptTests.Escape(token) + "; echo ready; sleep 300"));

        var result = await CancelAfterAsync(attempt, "ready");

        Assert.Equal(AttemptOutcome.Stopped, result.Outcome);
        Assert.Empty(ProcessRuntimeAdoptTests.ProcessesWith(token));
    }

    [Fact]
    public async Task An_attempt_cancelled_before_it_starts_is_stopped_without_a_process()
    {
        var sink = new RecordingSink();

        var result = await _bed.Runtime.RunAsync(ProcessTestBed.Resolve(t => t.Command("true")), sink, new CancellationToken(canceled: true));

        Assert.Equal(AttemptOutcome.Stopped, result.Outcome);
        Assert.Null(sink.Handle);
    }

    // Runs the attempt and cancels it once it has written `line`.
    private async Task<AttemptResult> CancelAfterAsync(Pipelines.Resolution.ResolvedTask attempt, string line)
    {
        var sink = new RecordingSink();
        using var cancel = new CancellationTokenSource();
        var run = _bed.Runtime.RunAsync(attempt, sink, cancel.Token);
        await sink.LineAsync(line);
        await cancel.CancelAsync();
        return await run.WaitAsync(Limit, TestContext.Current.CancellationToken);
    }

    // Moves the fake clock a second at a time until the run ends: the runtime starts its grace timer
    // at some moment after the cancellation, so the total advanced is at least the grace period.
    private async Task<TimeSpan> AdvanceUntilDoneAsync(Task run)
    {
        var advanced = TimeSpan.Zero;
        var deadline = DateTime.UtcNow + Limit;
        while (!run.IsCompleted && DateTime.UtcNow < deadline)
        {
            _bed.Time!.Advance(TimeSpan.FromSeconds(1));
            advanced += TimeSpan.FromSeconds(1);
            await Task.WhenAny(run, Task.Delay(20, TestContext.Current.CancellationToken));
        }

        Assert.True(run.IsCompleted, "the attempt was not stopped");
        return advanced;
    }
}
