using Pipelines.Execution.State;

namespace Pipelines.Execution;

/// <summary>What a run reports while it goes: the live view and the plain log lines listen here.</summary>
public interface IRunObserver
{
    /// <summary>A task changed state. Called from the scheduling loop, one at a time.</summary>
    void TaskChanged(string taskId, TaskState state, int tryNumber, string? reason);

    /// <summary>An attempt wrote a line (secrets already masked). Called from many threads.</summary>
    void Log(string taskId, int tryNumber, string line);

    /// <summary>Something about the run worth a line that is no task's log, secrets masked: a callback that failed or timed out. Called from many threads.</summary>
    void Notice(string message)
    {
    }
}

/// <summary>An observer that ignores everything.</summary>
public sealed class NullRunObserver : IRunObserver
{
    /// <summary>The one instance.</summary>
    public static NullRunObserver Instance { get; } = new();

    /// <inheritdoc />
    public void TaskChanged(string taskId, TaskState state, int tryNumber, string? reason)
    {
    }

    /// <inheritdoc />
    public void Log(string taskId, int tryNumber, string line)
    {
    }
}
