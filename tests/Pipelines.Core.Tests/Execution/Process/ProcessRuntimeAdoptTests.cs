using System.Diagnostics;
using Pipelines.Execution;

namespace Pipelines.Core.Tests.Execution.Process;

public sealed class ProcessRuntimeAdoptTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly ProcessTestBed _bed = new();
    private readonly List<System.Diagnostics.Process> _started = [];

    public void Dispose()
    {
        foreach (var process in _started)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        _bed.Dispose();
    }

    [Fact]
    public async Task An_orphan_found_by_its_marker_is_killed_and_the_attempt_is_lost_with_host_crash()
    {
        var attempt = ProcessTestBed.Render(t => t.Command("sleep", "300"));

        // What a dead host leaves: a process of the attempt, not started by this runtime, no handle recorded.
        var orphanParent = Start($"PIPELINES_ATTEMPT='{ProcessTestBed.AttemptId(attempt)}' sleep 300");
        var orphan = await WaitForMarkedAsync(attempt, 1);

        var result = await _bed.Runtime.AdoptAsync(attempt, handle: null, new RecordingSink(), TestContext.Current.CancellationToken);

        Assert.Equal(AttemptOutcome.Lost, result?.Outcome);
        Assert.Equal($"host-crash: the attempt's process (pid {orphan[0]}) was stopped; processes cannot be re-attached", result?.Reason);
        Assert.Empty(ProcessTestBed.Marked(attempt));
        await orphanParent.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Limit, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_children_of_an_orphan_are_killed_too()
    {
        var attempt = ProcessTestBed.Render(t => t.Command("sleep", "300"));
        Start($"PIPELINES_ATTEMPT='{ProcessTestBed.AttemptId(attempt)}' sh -c 'sleep 300 & sleep 300'");
        var marked = await WaitForMarkedAsync(attempt, 3);

        var result = await _bed.Runtime.AdoptAsync(attempt, handle: null, new RecordingSink(), TestContext.Current.CancellationToken);

        Assert.Equal(AttemptOutcome.Lost, result?.Outcome);
        Assert.StartsWith("host-crash: the attempt's processes (pids ", result?.Reason);
        Assert.All(marked, pid => Assert.Contains(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), result?.Reason));
        Assert.Empty(ProcessTestBed.Marked(attempt));
    }

    [Fact]
    public async Task A_process_found_by_its_recorded_handle_is_killed()
    {
        var attempt = ProcessTestBed.Render(t => t.Command("sleep", "300"));
        var process = Start("exec sleep 300");
        var handle = HandleOf(process.Id);

        var result = await _bed.Runtime.AdoptAsync(attempt, handle.ToString(), new RecordingSink(), TestContext.Current.CancellationToken);

        Assert.Equal($"host-crash: the attempt's process (pid {process.Id}) was stopped; processes cannot be re-attached", result?.Reason);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Limit, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_pid_whose_start_time_differs_is_another_process_and_is_left_alone()
    {
        var attempt = ProcessTestBed.Render(t => t.Command("sleep", "300"));
        var unrelated = Start("exec sleep 300");
        var handle = HandleOf(unrelated.Id);
        var reused = handle with { StartTime = handle.StartTime + 1 };

        var result = await _bed.Runtime.AdoptAsync(attempt, reused.ToString(), new RecordingSink(), TestContext.Current.CancellationToken);

        Assert.Equal(AttemptOutcome.Lost, result?.Outcome);
        Assert.StartsWith($"host-crash: the attempt's process ({reused}) had ended", result?.Reason);
        Assert.False(unrelated.HasExited);
        Assert.Equal(handle.StartTime, OperatingSystem.IsLinux() ? ProcessTable.TryRead(unrelated.Id)?.StartTime : null);
    }

    [Fact]
    public async Task Nothing_found_and_no_handle_means_the_attempt_never_started()
    {
        var attempt = ProcessTestBed.Render(t => t.Command("sleep", "300"));

        var result = await _bed.Runtime.AdoptAsync(attempt, handle: null, new RecordingSink(), TestContext.Current.CancellationToken);

        Assert.Null(result);
    }

    [Fact]
    public async Task A_restarted_host_stops_the_attempt_a_crashed_host_was_running_and_removes_its_directory()
    {
        var attempt = ProcessTestBed.Render(t => t.Command("sh", "-c", "sleep 300 & echo ready; sleep 300"));
        var sink = new RecordingSink();
        var crashed = _bed.Runtime.RunAsync(attempt, sink, TestContext.Current.CancellationToken);
        await sink.LineAsync("ready");
        var work = Path.Combine(_bed.Root, ".pipelines", "work");
        Assert.Single(Directory.EnumerateDirectories(work));

        var restarted = new ProcessRuntime(_bed.Root, _bed.Secrets, TimeProvider.System);
        var result = await restarted.AdoptAsync(attempt, await sink.Started, new RecordingSink(), TestContext.Current.CancellationToken);

        Assert.Equal(AttemptOutcome.Lost, result?.Outcome);
        Assert.StartsWith("host-crash: the attempt's processes (pids ", result?.Reason);
        Assert.Empty(ProcessTestBed.Marked(attempt));

        // The "crashed" runtime lives on in this process and also tidies up when its process dies,
        // racing the adopting one; once both are done, nothing of the attempt may be left.
        await crashed.WaitAsync(Limit, TestContext.Current.CancellationToken);
        Assert.Empty(Directory.EnumerateDirectories(work));
    }

    private static ProcessHandle HandleOf(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("/proc is Linux's");
        }

        var stat = ProcessTable.TryRead(pid);
        Assert.NotNull(stat);
        return new ProcessHandle(pid, stat.Value.StartTime);
    }

    private static async Task<List<int>> WaitForMarkedAsync(Pipelines.Rendering.RenderedTask attempt, int count)
    {
        var deadline = Stopwatch.StartNew();
        List<int> marked;
        while ((marked = ProcessTestBed.Marked(attempt)).Count < count && deadline.Elapsed < Limit)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Equal(count, marked.Count);
        return marked;
    }

    private System.Diagnostics.Process Start(string script)
    {
        // Redirected so that the shell's "Killed" notice does not reach the test host's output.
        var info = new ProcessStartInfo("/bin/sh", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var process = System.Diagnostics.Process.Start(info)!;
        _started.Add(process);
        return process;
    }
}
