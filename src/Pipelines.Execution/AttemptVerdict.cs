using System.Text.Json;
using Pipelines.Attempts;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Secrets;

namespace Pipelines.Execution;

/// <summary>What a finished attempt means for its task.</summary>
internal enum VerdictKind
{
    /// <summary>It exited 0 with a valid output: the task succeeded.</summary>
    Succeeded,

    /// <summary>It exited with a skip exit code: the task is skipped.</summary>
    Skipped,

    /// <summary>It failed and the task has a retry left: it runs again after <see cref="AttemptVerdict.RetryDelay"/>.</summary>
    Retry,

    /// <summary>It failed and no retry is left (or none is allowed): the task failed.</summary>
    Failed,

    /// <summary>It was stopped because the run was cancelled (or its state could not be written): the task is cancelled.</summary>
    Cancelled,

    /// <summary>The runtime has no trace of it (the host died before it started): the task is queued again, no retry spent.</summary>
    NotStarted,
}

/// <summary>How an attempt ended, as the executor saw it.</summary>
/// <param name="Result">What the runtime reported.</param>
/// <param name="TimedOut">It was stopped because its execution timeout passed.</param>
/// <param name="NoRetry">It may not be retried (its templates did not resolve, or its start could not be recorded).</param>
/// <param name="NeverStarted">Adoption found no trace of it.</param>
/// <param name="Usage">What it used, when the runtime measured it.</param>
internal readonly record struct AttemptEnd(AttemptResult Result, bool TimedOut = false, bool NoRetry = false, bool NeverStarted = false, ResourceUsage? Usage = null);

/// <summary>
/// The verdict on a finished attempt: the state its record ends in, what its task does next and why. A pure function of
/// the task's settings, how the attempt ended and how many attempts the task had in this run — no store, no clock.
/// </summary>
/// <param name="Kind">What the task does next.</param>
/// <param name="Attempt">The state the attempt is recorded in.</param>
/// <param name="AttemptReason">The attempt's reason (secrets masked).</param>
/// <param name="TaskReason">The task's reason (secrets masked).</param>
/// <param name="Output">The output as written, when the task succeeded with one.</param>
/// <param name="OutputValue">The output parsed, when there is one.</param>
/// <param name="RetryDelay">How long until the retry, for <see cref="VerdictKind.Retry"/>.</param>
/// <param name="AttemptsThisRun">The attempts that count against the task's retries from now on: one less when the loss was not the task's fault.</param>
internal readonly record struct AttemptVerdict(
    VerdictKind Kind,
    AttemptState Attempt,
    string? AttemptReason,
    string? TaskReason,
    string? Output,
    JsonElement? OutputValue,
    TimeSpan RetryDelay,
    int AttemptsThisRun)
{
    /// <summary>The reason of an attempt that was recorded as starting but that the runtime never started.</summary>
    public const string NotStartedReason = "host-crash: the host stopped before this attempt started";

    /// <summary>Decides what <paramref name="end"/> means for <paramref name="task"/>.</summary>
    /// <param name="task">The task, as defined (retries, skip exit codes, timeout).</param>
    /// <param name="end">How the attempt ended.</param>
    /// <param name="attemptsThisRun">The task's attempts in this run, this one included (an adopted attempt was started by an earlier host and is not).</param>
    /// <param name="stopping">Null while the run goes on; else why it stops (cancelled, or its state could not be written).</param>
    /// <param name="masker">The run's secrets: reasons are masked, an output that holds one fails.</param>
    /// <param name="jitter">A number in [0, 1) for the retry delay's jitter.</param>
    public static AttemptVerdict Decide(ContainerTask task, AttemptEnd end, int attemptsThisRun, string? stopping, SecretMasker? masker, double jitter)
    {
        ArgumentNullException.ThrowIfNull(task);
        var result = end.Result;
        if (end.NeverStarted)
        {
            var requeued = Math.Max(0, attemptsThisRun - 1);
            return stopping is null
                ? new(VerdictKind.NotStarted, AttemptState.Failed, NotStartedReason, null, null, null, TimeSpan.Zero, requeued)
                : new(VerdictKind.Cancelled, AttemptState.Failed, NotStartedReason, stopping, null, null, TimeSpan.Zero, requeued);
        }

        if (result.Outcome == AttemptOutcome.Stopped && stopping is not null && !end.TimedOut)
        {
            return new(VerdictKind.Cancelled, AttemptState.Cancelled, Mask(masker, result.Reason), stopping, null, null, TimeSpan.Zero, attemptsThisRun);
        }

        string? failure;
        if (end.TimedOut)
        {
            failure = $"timed out after {task.ExecutionTimeout}";
        }
        else if (result.Outcome != AttemptOutcome.Exited)
        {
            failure = result.Reason ?? result.Outcome.ToString();
        }
        else if (task.SkipOnExitCodes.Contains(result.ExitCode!.Value))
        {
            return new(VerdictKind.Skipped, AttemptState.Skipped, Mask(masker, result.Reason), $"exit code {result.ExitCode} is a skip exit code", null, null, TimeSpan.Zero, attemptsThisRun);
        }
        else if (result.ExitCode != 0)
        {
            failure = $"exit code {result.ExitCode}" + (result.Reason is null ? string.Empty : $" ({result.Reason})");
        }
        else if (result.OutputProblem is { } problem)
        {
            failure = problem;
        }
        else if (TaskOutputs.Check(result.Output, masker, out var element) is { } invalid)
        {
            failure = invalid;
        }
        else
        {
            // Stored as written: an output holding a secret failed above, so this one holds none, and masking
            // could only corrupt it (secret "100" in {"count": 1000}).
            return new(VerdictKind.Succeeded, AttemptState.Success, null, null, element is null ? null : result.Output, element, TimeSpan.Zero, attemptsThisRun);
        }

        failure = Mask(masker, failure)!;
        // A loss that is not the task's fault (its host died) gives its try back and runs again at once.
        var spends = result.Outcome != AttemptOutcome.Lost || result.Loss is not { } loss || loss.SpendsRetry();
        var attempts = spends ? attemptsThisRun : attemptsThisRun - 1;
        var retriesUsed = attempts - 1;
        if (!end.NoRetry && retriesUsed < task.Retry.Retries && stopping is null)
        {
            var delay = spends ? RetryDelays.For(task.Retry, retriesUsed + 1, jitter) : TimeSpan.Zero;
            return new(VerdictKind.Retry, AttemptState.Failed, failure, $"{failure}; retry in {delay}", null, null, delay, attempts);
        }

        return new(VerdictKind.Failed, AttemptState.Failed, failure, failure, null, null, TimeSpan.Zero, attempts);
    }

    private static string? Mask(SecretMasker? masker, string? text) => text is null || masker is null ? text : masker.Mask(text);
}
