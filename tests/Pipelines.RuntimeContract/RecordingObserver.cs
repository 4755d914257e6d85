using System.Collections.Concurrent;
using Pipelines.Execution;
using Pipelines.Execution.State;

namespace Pipelines.RuntimeContract;

/// <summary>An observer of a whole run that keeps each task's log lines, in order, and can react to each line.</summary>
public sealed class RecordingObserver : IRunObserver
{
    /// <summary>Each task's lines.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<string>> ByTask { get; } = new();

    /// <summary>Called with each line (task, text) as it comes.</summary>
    public Action<string, string>? OnLine { get; init; }

    /// <summary>Each task's lines as lists.</summary>
    public IReadOnlyDictionary<string, List<string>> Logs() => ByTask.ToDictionary(p => p.Key, p => p.Value.ToList());

    public void TaskChanged(string taskId, TaskState state, int tryNumber, string? reason)
    {
    }

    public void Log(string taskId, int tryNumber, string line)
    {
        ByTask.GetOrAdd(taskId, _ => new()).Enqueue(line);
        OnLine?.Invoke(taskId, line);
    }
}
