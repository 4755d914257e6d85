namespace Pipelines.Execution.Runtimes;

/// <summary>How an attempt ended, as its runtime saw it.</summary>
public enum AttemptOutcome
{
    /// <summary>The container or process exited; see <see cref="AttemptResult.ExitCode"/>.</summary>
    Exited,

    /// <summary>It never ran to an exit: image pull error, eviction, a lost host, a start failure.</summary>
    Lost,

    /// <summary>It was stopped because the run was cancelled or its timeout passed.</summary>
    Stopped,
}

/// <summary>
/// What one attempt ended with: the exit code, the output JSON the task wrote to
/// <c>$PIPELINES_OUTPUT</c> (raw text, checked by the executor), and a reason when it did not simply exit.
/// </summary>
public sealed record AttemptResult(AttemptOutcome Outcome, int? ExitCode, string? Output, string? Reason)
{
    /// <summary>
    /// Why the output could not be read, when it could not (it was replaced by something other than a
    /// file, or is over the limit); an attempt that exited 0 then fails with this reason.
    /// </summary>
    public string? OutputProblem { get; init; }

    /// <summary>The attempt exited with <paramref name="exitCode"/>.</summary>
    public static AttemptResult Exited(int exitCode, string? output = null, string? reason = null) => new(AttemptOutcome.Exited, exitCode, output, reason);

    /// <summary>The attempt never ran to an exit, for <paramref name="reason"/> (such as <c>host-crash</c> or <c>ImagePullBackOff</c>).</summary>
    public static AttemptResult Lost(string reason) => new(AttemptOutcome.Lost, null, null, reason);

    /// <summary>The attempt was stopped on request.</summary>
    public static AttemptResult Stopped(string reason, int? exitCode = null) => new(AttemptOutcome.Stopped, exitCode, null, reason);
}
