using System.Collections.Concurrent;
using Pipelines.Execution;
using Pipelines.Execution.Runtimes;

namespace Pipelines.Processes.Tests;

/// <summary>Records the handle and every log line; lets a test wait for a given line.</summary>
internal sealed class RecordingSink : IAttemptSink
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<LogLine> _logLines = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new();
    private readonly TaskCompletionSource<string> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>Every line as the runtime gave it: stream, timestamp, cursor.</summary>
    public IReadOnlyList<LogLine> LogLines => [.. _logLines];

    /// <summary>The last cursor a line carried: where an adopting host would continue.</summary>
    public LogCursor? LastCursor => _logLines.LastOrDefault(l => l.Cursor is not null).Cursor;

    /// <summary>The lines up to and including the one that carried <see cref="LastCursor"/>.</summary>
    public int LinesUpToLastCursor => _logLines.ToList().FindLastIndex(l => l.Cursor is not null) + 1;

    public Task<string> Started => _started.Task;

    public string? Handle => _started.Task.IsCompleted ? _started.Task.Result : null;

    public ValueTask StartedAsync(string handle)
    {
        _started.TrySetResult(handle);
        return ValueTask.CompletedTask;
    }

    public void Log(in LogLine line)
    {
        _logLines.Enqueue(line);
        _lines.Enqueue(line.Text);
        Waiter(line.Text).TrySetResult();
    }

    /// <summary>Completes when <paramref name="line"/> was logged (fails the test after 30 s).</summary>
    public Task LineAsync(string line)
    {
        var waiter = Waiter(line);
        if (_lines.Contains(line))
        {
            waiter.TrySetResult();
        }

        return waiter.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private TaskCompletionSource Waiter(string line) =>
        _waiting.GetOrAdd(line, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
