using Pipelines.Execution.Runtimes;

namespace Pipelines.Execution;

internal enum RunEventKind
{
    Finished,
    RetryDue,
    Cancel,
}

/// <summary>Something the scheduling loop must handle: an attempt ended, a retry is due, or the run was cancelled.</summary>
internal sealed record RunEvent(RunEventKind Kind, int Task, int Try, AttemptEnd End, string? Handle, IReadOnlyList<string>? LogTail = null)
{
    public static RunEvent Finish(int task, int tryNumber, AttemptEnd end, string? handle, IReadOnlyList<string>? logTail = null) => new(RunEventKind.Finished, task, tryNumber, end, handle, logTail);

    public static RunEvent NotStarted(int task, int tryNumber) =>
        new(RunEventKind.Finished, task, tryNumber, new AttemptEnd(AttemptResult.Lost(AttemptLoss.NeverStarted, "never started"), NeverStarted: true), null);

    public static RunEvent Retry(int task) => new(RunEventKind.RetryDue, task, 0, default, null);

    public static RunEvent Cancel() => new(RunEventKind.Cancel, -1, 0, default, null);
}
