using Pipelines.Attempts;
using Pipelines.Resolution;

namespace Pipelines.Execution.Runtimes;

/// <summary>
/// One run on a runtime: runs its attempts to their end, streams their log lines, finds what an earlier host
/// of the same run left (so that a restarted host adopts a live attempt instead of starting it twice), and removes
/// what an attempt leaves once its end is recorded. Disposing ends the session, not its attempts: an attempt still
/// running is one the run was stopped without waiting for (a crash), and the next host adopts it.
/// </summary>
public interface IRuntimeSession : IAsyncDisposable
{
    /// <summary>
    /// Starts the attempt and waits for its end. Calls <see cref="IAttemptSink.StartedAsync"/> once the attempt
    /// exists (with a handle that <see cref="AdoptAsync"/> understands), and <see cref="IAttemptSink.Log"/> for each
    /// log line. When <paramref name="cancellationToken"/> fires, stops the attempt (SIGTERM, then SIGKILL after the
    /// task's stop grace period) and returns <see cref="AttemptOutcome.Stopped"/>. A start that fails is
    /// <see cref="AttemptOutcome.Lost"/> with <see cref="AttemptLoss.StartFailed"/> (or the runtime's more precise loss).
    /// </summary>
    Task<AttemptResult> RunAsync(ResolvedTask attempt, IAttemptSink sink, CancellationToken cancellationToken);

    /// <summary>
    /// Finds an attempt an earlier host started — by <paramref name="handle"/> when one was recorded, else by the
    /// attempt's identity — and waits for its end like <see cref="RunAsync"/>: a running attempt is re-attached, one
    /// that ended meanwhile is read, not run again. Log lines are delivered from just after <paramref name="resumeAfter"/>
    /// (the cursor of the last line the earlier host kept; from the first line when null), in the order the runtime
    /// delivered them before, so no line is lost and none is delivered twice. Returns null when the attempt does not
    /// exist (it never started), so the executor can start it. A runtime that cannot re-attach stops what it finds
    /// and returns <see cref="AttemptOutcome.Lost"/> with <see cref="AttemptLoss.HostCrash"/>.
    /// </summary>
    Task<AttemptResult?> AdoptAsync(ResolvedTask attempt, string? handle, LogCursor? resumeAfter, IAttemptSink sink, CancellationToken cancellationToken);

    /// <summary>
    /// Every attempt of this session's run that the runtime still has — running, or ended and not yet forgotten — found
    /// in one query by the attempts' identity (labels, names, folders), so that resuming a large run costs one call,
    /// not one per attempt.
    /// </summary>
    Task<IReadOnlyList<Leftover>> FindLeftoversAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The attempt's end is recorded in the run store: removes what the runtime kept so that a restarted host could
    /// still read how it ended (the process runtime's attempt folder with its exit status and output; a container, per
    /// its cleanup policy). An attempt the store never recorded (a <c>test</c> run's) is stopped first. Until this is
    /// called, an ended attempt stays readable by <see cref="AdoptAsync"/> — a host that dies between an attempt's end and
    /// its record loses nothing. Best effort and idempotent: an attempt with nothing left is no error.
    /// </summary>
    Task ForgetAsync(AttemptKey attempt);
}

/// <summary>An attempt a runtime still has for a run (see <see cref="IRuntimeSession.FindLeftoversAsync"/>).</summary>
/// <param name="Attempt">Which attempt.</param>
/// <param name="Handle">Its handle, as <see cref="IAttemptSink.StartedAsync"/> gave it, when the runtime knows it.</param>
/// <param name="Running">True while it runs; false once it ended (its end not yet forgotten).</param>
public sealed record Leftover(AttemptKey Attempt, string? Handle, bool Running);

/// <summary>Which attempt: DAG, run, task and try number.</summary>
/// <param name="DagId">The DAG.</param>
/// <param name="RunId">The run.</param>
/// <param name="TaskId">The task.</param>
/// <param name="TryNumber">The try number, from 1.</param>
public readonly record struct AttemptKey(string DagId, string RunId, string TaskId, int TryNumber)
{
    /// <summary>The key of a resolved attempt.</summary>
    public static AttemptKey Of(ResolvedTask attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return new(attempt.DagId, attempt.Run.RunId, attempt.Task.Id, attempt.TryNumber);
    }

    /// <summary><c>dag/run/task/try</c>.</summary>
    public override string ToString() => Attempts.AttemptNames.AttemptId(DagId, RunId, TaskId, TryNumber);
}
