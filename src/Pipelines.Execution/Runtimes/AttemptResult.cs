namespace Pipelines.Execution.Runtimes;

/// <summary>How an attempt ended, as its runtime saw it.</summary>
public enum AttemptOutcome
{
    /// <summary>The container or process exited; see <see cref="AttemptResult.ExitCode"/>.</summary>
    Exited,

    /// <summary>It never ran to an exit; <see cref="AttemptResult.Loss"/> says why.</summary>
    Lost,

    /// <summary>It was stopped because the run was cancelled or its timeout passed.</summary>
    Stopped,
}

/// <summary>Why an attempt never ran to an exit.</summary>
public enum AttemptLoss
{
    /// <summary>The host that started it died, and its exit status was lost or it could not be re-attached. Spends no retry.</summary>
    HostCrash,

    /// <summary>It was recorded as starting, but the runtime has no trace of it: the host died before the start. Spends no retry.</summary>
    NeverStarted,

    /// <summary>The runtime could not start it: a missing secret or key, a program or entrypoint not found, a volume that cannot be mounted.</summary>
    StartFailed,

    /// <summary>Its image could not be pulled (a wrong name or tag, no access to the registry).</summary>
    ImagePull,

    /// <summary>The node or engine evicted it (memory or disk pressure).</summary>
    Evicted,

    /// <summary>It did not start within the startup timeout (unschedulable, or a pull that never finished).</summary>
    StartupTimeout,

    /// <summary>The runtime itself failed (an engine or API server error, a lost connection).</summary>
    RuntimeError,
}

/// <summary>What a loss means for retries.</summary>
public static class AttemptLosses
{
    /// <summary>
    /// False when the task is not to blame and its retry is given back (<see cref="AttemptLoss.HostCrash"/>,
    /// <see cref="AttemptLoss.NeverStarted"/>): such an attempt runs again at once. Every other loss spends one of the
    /// task's retries, with its delay, as a failure does — so a loss that repeats (an image that is never there) cannot
    /// retry for ever.
    /// </summary>
    public static bool SpendsRetry(this AttemptLoss loss) => loss is not (AttemptLoss.HostCrash or AttemptLoss.NeverStarted);
}

/// <summary>
/// What one attempt ended with: the exit code, the output JSON the task wrote to <c>$PIPELINES_OUTPUT</c> (raw text,
/// checked by the executor), and a reason when it did not simply exit.
/// </summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="ExitCode">Its exit code, when it exited (and when a stopped attempt's is known).</param>
/// <param name="Output">The output JSON as written, when it exited.</param>
/// <param name="Reason">Why it was lost or stopped, or what the runtime adds to an exit (<c>OOMKilled</c>).</param>
public sealed record AttemptResult(AttemptOutcome Outcome, int? ExitCode, string? Output, string? Reason)
{
    /// <summary>Why it was lost, when <see cref="Outcome"/> is <see cref="AttemptOutcome.Lost"/>.</summary>
    public AttemptLoss? Loss { get; init; }

    /// <summary>
    /// Why the output could not be read, when it could not (it was replaced by something other than a
    /// file, or is over the limit); an attempt that exited 0 then fails with this reason.
    /// </summary>
    public string? OutputProblem { get; init; }

    /// <summary>The attempt exited with <paramref name="exitCode"/>.</summary>
    public static AttemptResult Exited(int exitCode, string? output = null, string? reason = null) => new(AttemptOutcome.Exited, exitCode, output, reason);

    /// <summary>The attempt never ran to an exit: <paramref name="loss"/>, as <paramref name="reason"/> explains.</summary>
    public static AttemptResult Lost(AttemptLoss loss, string reason) => new(AttemptOutcome.Lost, null, null, reason) { Loss = loss };

    /// <summary>The attempt was stopped on request.</summary>
    public static AttemptResult Stopped(string reason, int? exitCode = null) => new(AttemptOutcome.Stopped, exitCode, null, reason);
}
