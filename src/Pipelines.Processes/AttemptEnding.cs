using System.Globalization;
using System.Runtime.Versioning;
using Pipelines.Execution.Runtimes;

namespace Pipelines.Processes;

/// <summary>
/// The end of an attempt, run or adopted alike: its log followed until its shim exits — or, when it is stopped, SIGTERM,
/// the grace period, then SIGKILL — what is left of it killed, the rest of its log forwarded, and how it ended read.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class AttemptEnding
{
    // How often a running attempt's log file is read. Its end is an event (the shim exits); new lines are not.
    private static readonly TimeSpan LogPoll = TimeSpan.FromMilliseconds(100);

    // Waits for the shim (or stops it), kills what is left of the attempt, forwards the rest of its log and
    // reads how it ended; `unknownExit` is the reason when no exit status can be had.
    [SupportedOSPlatform("linux")]
    public static async Task<AttemptResult> EndAsync(AttemptProcess process, AttemptLog log, AttemptWorkspace workspace, ContainerTask task, TimeProvider time, CancellationToken cancellationToken, AttemptLoss unknownLoss, string unknownExit)
    {
        var stopReason = await WaitOrStopAsync(process, log, task.StopGracePeriod ?? ProcessRuntime.DefaultStopGracePeriod, time, cancellationToken).ConfigureAwait(false);
        await process.KillRestAsync().ConfigureAwait(false);
        log.Finish();
        if (stopReason is not null)
        {
            return AttemptResult.Stopped(stopReason, process.ExitCode);
        }

        if (process.ExitCode is not { } code)
        {
            return AttemptResult.Lost(unknownLoss, unknownExit);
        }

        var (output, problem) = workspace.ReadOutput();
        return AttemptResult.Exited(code, output) with { OutputProblem = problem };
    }

    // Null when the task ended by itself, else the stop reason. Follows the log meanwhile.
    [SupportedOSPlatform("linux")]
    private static async Task<string?> WaitOrStopAsync(AttemptProcess process, AttemptLog log, TimeSpan grace, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!await FollowAsync(process, log, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var seconds = grace.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        process.Signal(ProcessSignals.Terminate);
        using var graceOver = new CancellationTokenSource(grace, time);
        if (!await FollowAsync(process, log, graceOver.Token).ConfigureAwait(false))
        {
            return $"stopped: SIGTERM sent; the process exited within the {seconds}s grace period";
        }

        process.Signal(ProcessSignals.Kill);
        await FollowAsync(process, log, CancellationToken.None).ConfigureAwait(false);
        return $"stopped: the process did not exit within the {seconds}s grace period after SIGTERM and was killed (SIGKILL)";
    }

    // Forwards log lines until the shim exits (false) or `stop` fires first (true).
    [SupportedOSPlatform("linux")]
    private static async Task<bool> FollowAsync(AttemptProcess process, AttemptLog log, CancellationToken stop)
    {
        var exited = process.WaitForExitAsync(CancellationToken.None);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = stop.Register(() => stopped.TrySetResult());
        while (!exited.IsCompleted && !stopped.Task.IsCompleted)
        {
            using var tick = new CancellationTokenSource();
            var delay = Task.Delay(LogPoll, TimeProvider.System, tick.Token);
            await Task.WhenAny(exited, stopped.Task, delay).ConfigureAwait(false);
            await tick.CancelAsync().ConfigureAwait(false);
            log.Pump();
        }

        return !exited.IsCompleted;
    }
}
