using Pipelines.Execution.Runtimes;

namespace Pipelines.Execution;

internal enum RunEventKind
{
    Finished,
    RetryDue,
    Cancel,
}

/// <summary>Something the scheduling loop must handle: an attempt ended, a retry is due, or the run was cancelled.</summary>
internal sealed record RunEvent(RunEventKind Kind, int Task, int Try, AttemptResult? Result, bool TimedOut, bool NoRetry, bool NeverStarted, string? Handle)
{
    public static RunEvent Finish(int task, int tryNumber, AttemptResult result, bool timedOut, bool noRetry, string? handle) =>
        new(RunEventKind.Finished, task, tryNumber, result, timedOut, noRetry, false, handle);

    public static RunEvent NotStarted(int task, int tryNumber) =>
        new(RunEventKind.Finished, task, tryNumber, AttemptResult.Lost("never started"), false, false, true, null);

    public static RunEvent Retry(int task) => new(RunEventKind.RetryDue, task, 0, null, false, false, false, null);

    public static RunEvent Cancel() => new(RunEventKind.Cancel, -1, 0, null, false, false, false, null);
}
