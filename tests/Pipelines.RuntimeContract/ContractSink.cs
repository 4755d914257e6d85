using System.Collections.Concurrent;
using Pipelines.Execution.Runtimes;

namespace Pipelines.RuntimeContract;

/// <summary>A sink that records what a runtime reports of one attempt, and lets a test wait for it.</summary>
public sealed class ContractSink : IAttemptSink
{
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private readonly TaskCompletionSource<string> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiting = [];
    private int _count;

    /// <summary>Every line, in the order it came.</summary>
    public IReadOnlyList<LogLine> Lines => [.. _lines];

    /// <summary>The texts of the lines.</summary>
    public IReadOnlyList<string> Texts => [.. _lines.Select(l => l.Text)];

    /// <summary>Completes with the handle when the runtime reports the start.</summary>
    public Task<string> Started => _started.Task;

    /// <summary>How many lines had come when the start was reported (a start comes before any line).</summary>
    public int LinesBeforeStart { get; private set; } = -1;

    /// <summary>The handle, once reported.</summary>
    public string? Handle => _started.Task.IsCompleted ? _started.Task.Result : null;

    public ValueTask StartedAsync(string handle)
    {
        LinesBeforeStart = Volatile.Read(ref _count);
        _started.TrySetResult(handle);
        return ValueTask.CompletedTask;
    }

    public void Log(in LogLine line)
    {
        _lines.Enqueue(line);
        lock (_gate)
        {
            _count++;
            foreach (var (count, reached) in _waiting.Where(w => w.Count <= _count))
            {
                reached.TrySetResult();
            }
        }
    }

    /// <summary>Completes when at least <paramref name="count"/> lines came.</summary>
    public Task LinesAsync(int count, TimeSpan patience)
    {
        lock (_gate)
        {
            if (_count >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((count, reached));
            return reached.Task.WaitAsync(patience);
        }
    }

    /// <summary>
    /// Where an adopting host would continue, as the executor keeps it: the last cursor that came, and how many lines
    /// came up to and with the line that carried it.
    /// </summary>
    public (LogCursor? Cursor, int Kept) Kept()
    {
        var lines = Lines;
        var last = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Cursor is not null)
            {
                last = i;
            }
        }

        return last < 0 ? (null, 0) : (lines[last].Cursor, last + 1);
    }
}
