using System.Diagnostics;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Resolution;
using Pipelines.Secrets;

namespace Pipelines.Execution;

/// <summary>
/// Runs one attempt on the run's runtime session — or adopts one an earlier host started — with its timeout, into its
/// log sink, and posts how it ended to the loop. Called on the loop: everything up to the runtime's first wait runs there.
/// </summary>
internal sealed class AttemptRunner(
    IRuntimeSession session,
    string runtimeName,
    (string DagId, string RunId) run,
    TimeProvider time,
    StoreWriter writer,
    IRunObserver observer,
    SecretMasker? masker,
    CancellationToken cancel,
    Action<RunEvent> post,
    int tailLines)
{
    /// <summary>Runs an attempt; <paramref name="activity"/>, its span, is current while the runtime works on it.</summary>
    public async Task RunAsync(int index, ResolvedTask attempt, AttemptRecord record, Activity? activity = null)
    {
        if (activity is not null)
        {
            Activity.Current = activity; // flows into the runtime's calls; the caller's own is untouched (an async method restores it)
        }

        var task = attempt.Task;
        using var timeout = task.ExecutionTimeout is { } limit ? new CancellationTokenSource(limit, time) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, timeout?.Token ?? CancellationToken.None);
        using var sink = Sink(record, LogResume.Start);
        AttemptResult result;
        try
        {
            result = await session.RunAsync(attempt, sink, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            result = linked.IsCancellationRequested ? AttemptResult.Stopped(ex.Message) : AttemptResult.Lost(AttemptLoss.RuntimeError, $"the {runtimeName} runtime failed: {ex.Message}");
        }

        // Timed out only when the runtime stopped it for that: one that ended by itself meanwhile did not.
        var timedOut = result.Outcome == AttemptOutcome.Stopped && timeout?.IsCancellationRequested == true && !cancel.IsCancellationRequested;
        post(RunEvent.Finish(index, record.TryNumber, new AttemptEnd(result, timedOut, Usage: sink.Usage), sink.Handle, sink.Tail));
    }

    /// <summary>Adopts <paramref name="record"/>, an attempt recorded as live; <paramref name="attempt"/> is null when it could not be resolved (<paramref name="problem"/> says why).</summary>
    public async Task AdoptAsync(int index, AttemptRecord record, ResolvedTask? attempt, string? problem, Activity? activity = null)
    {
        if (activity is not null)
        {
            Activity.Current = activity;
        }

        IReadOnlyList<string>? tail = null;
        AttemptResult? result;
        ResourceUsage? usage = null;
        var timedOut = false;
        try
        {
            if (attempt is null)
            {
                throw new InvalidOperationException(problem);
            }

            var task = attempt.Task;
            var left = task.ExecutionTimeout is { } limit ? limit - (time.GetUtcNow() - record.StartedAt) : (TimeSpan?)null;
            using var timeout = left is { } l ? new CancellationTokenSource(l > TimeSpan.Zero ? l : TimeSpan.Zero, time) : null;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, timeout?.Token ?? CancellationToken.None);
            var resume = AttemptLogSink.Resume(record.LogPath);
            using var sink = Sink(record, resume);
            result = await session.AdoptAsync(attempt, record.Handle, resume.After, sink, linked.Token).ConfigureAwait(false);
            usage = sink.Usage;
            tail = sink.Tail;
            // An attempt that ended, or was lost, while the host was down did not time out, even if its time is over now.
            timedOut = result?.Outcome == AttemptOutcome.Stopped && timeout?.IsCancellationRequested == true && !cancel.IsCancellationRequested;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            result = AttemptResult.Lost(AttemptLoss.HostCrash, $"host-crash: the attempt could not be adopted ({ex.Message})");
        }

        post(result is null
            ? RunEvent.NotStarted(index, record.TryNumber)
            : RunEvent.Finish(index, record.TryNumber, new AttemptEnd(result, timedOut, Usage: usage), record.Handle, tail));
    }

    private AttemptLogSink Sink(AttemptRecord record, LogResume resume) =>
        new(writer, run, record, masker, observer, resume, tailLines);
}
