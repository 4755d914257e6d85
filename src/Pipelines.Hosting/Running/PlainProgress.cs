using System.Globalization;
using Pipelines.Execution;
using Pipelines.Execution.State;

namespace Pipelines.Hosting.Running;

/// <summary>One line per event, log lines prefixed with the task id: for redirected output, CI logs and <c>--plain</c>.</summary>
internal sealed class PlainProgress(TextWriter writer, TimeProvider time) : IRunObserver
{
    private readonly object _gate = new();

    public void TaskChanged(string taskId, TaskState state, int tryNumber, string? reason)
    {
        if (state == TaskState.Queued)
        {
            return;
        }

        var stamp = time.GetLocalNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        var tryText = tryNumber > 0 ? $" (try {tryNumber})" : string.Empty;
        var because = reason is null ? string.Empty : $": {reason}";
        lock (_gate)
        {
            writer.WriteLine($"{stamp} {taskId} {state.ToAirflowName()}{tryText}{because}");
        }
    }

    public void Notice(string message)
    {
        var stamp = time.GetLocalNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        lock (_gate)
        {
            writer.WriteLine($"{stamp} warning: {message}");
        }
    }

    public void Log(string taskId, int tryNumber, string line)
    {
        lock (_gate)
        {
            writer.WriteLine($"[{taskId}] {line}");
        }
    }
}
