using System.Collections.Concurrent;
using Pipelines.Attempts;
using Pipelines.Execution.Runtimes;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Testing;

/// <summary>
/// A runtime that runs nothing: each attempt follows a script (duration, exit code, output, log
/// lines) on a <see cref="TimeProvider"/>, so tests and benchmarks drive whole DAGs in virtual time.
/// It records every attempt it ran, and the most that ran at once.
/// </summary>
public sealed class SimulatedRuntime : IContainerRuntime
{
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Func<ResolvedTask, SimulatedAttempt>> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SimulatedRun> _history = new();
    private readonly ConcurrentDictionary<string, bool> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string TaskId, int TryNumber, string? Handle)> _adopted = new();
    private readonly ConcurrentQueue<AttemptKey> _forgotten = new();
    private int _running;
    private int _maxRunning;

    /// <summary>Creates a simulated runtime on <paramref name="time"/>.</summary>
    public SimulatedRuntime(TimeProvider time) => _time = time ?? throw new ArgumentNullException(nameof(time));

    /// <inheritdoc />
    public string Name => "simulated";

    /// <summary>What tasks without a script do; by default they end at once with exit code 0.</summary>
    public Func<ResolvedTask, SimulatedAttempt> Default { get; set; } = _ => SimulatedAttempt.Instant;

    /// <summary>Every attempt that ran, in the order they ended.</summary>
    public IReadOnlyList<SimulatedRun> History => [.. _history];

    /// <summary>The most attempts that ran at once.</summary>
    public int MaxConcurrent => Volatile.Read(ref _maxRunning);

    /// <summary>Attempts that are live now (for adoption tests): attempt id → live.</summary>
    public ICollection<string> LiveAttempts => _live.Keys;

    /// <summary>
    /// What adopting an attempt an earlier host started gives, from the attempt and its recorded handle;
    /// by default it finished with exit code 0 when it is live here, else it never started (null).
    /// </summary>
    public Func<ResolvedTask, string?, AttemptResult?>? Adopt { get; set; }

    /// <summary>Every attempt the executor said it recorded the end of (<see cref="ForgetAsync"/>), in order.</summary>
    public IReadOnlyList<AttemptKey> Forgotten => [.. _forgotten];

    /// <summary>Every attempt adopted, with the handle the store had for it.</summary>
    public IReadOnlyList<(string TaskId, int TryNumber, string? Handle)> Adopted => [.. _adopted];

    /// <summary>Scripts a task's attempts: the first try does <c>attempts[0]</c>, the second <c>attempts[1]</c>, …; later tries repeat the last.</summary>
    public SimulatedRuntime Script(string taskId, params SimulatedAttempt[] attempts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(attempts.Length);
        _scripts[taskId] = task => attempts[Math.Min(task.TryNumber, attempts.Length) - 1];
        return this;
    }

    /// <summary>Scripts a task with a function of the rendered attempt (it sees resolved templates).</summary>
    public SimulatedRuntime Script(string taskId, Func<ResolvedTask, SimulatedAttempt> script)
    {
        _scripts[taskId] = script;
        return this;
    }

    /// <inheritdoc />
    public Task<AttemptResult> RunAsync(ResolvedTask attempt, IAttemptSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(sink);
        var script = _scripts.TryGetValue(attempt.Task.Id, out var s) ? s(attempt) : Default(attempt);
        var id = AttemptNames.AttemptId(attempt.DagId, attempt.Run.RunId, attempt.Task.Id, attempt.TryNumber);
        _ = sink.StartedAsync("simulated:" + id);
        var now = Interlocked.Increment(ref _running);
        InterlockedMax(ref _maxRunning, now);
        var start = _time.GetUtcNow();
        foreach (var line in script.Logs ?? [])
        {
            sink.Log(line);
        }

        if (script.Duration <= TimeSpan.Zero)
        {
            // Zero-length attempts end synchronously: no timer, no thread hop.
            return Task.FromResult(End(attempt, script, start, stopped: false));
        }

        _live[id] = true;
        return WaitAsync(attempt, script, id, start, cancellationToken);
    }

    /// <inheritdoc />
    public Task<AttemptResult?> AdoptAsync(ResolvedTask attempt, string? handle, IAttemptSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        _adopted.Enqueue((attempt.Task.Id, attempt.TryNumber, handle));
        if (Adopt is { } adopt)
        {
            return Task.FromResult(adopt(attempt, handle));
        }

        var id = AttemptNames.AttemptId(attempt.DagId, attempt.Run.RunId, attempt.Task.Id, attempt.TryNumber);
        return Task.FromResult<AttemptResult?>(_live.ContainsKey(id) ? AttemptResult.Exited(0) : null);
    }

    /// <inheritdoc />
    public Task ForgetAsync(AttemptKey attempt)
    {
        _forgotten.Enqueue(attempt);
        return Task.CompletedTask;
    }

    // A timer and a cancellation registration race to end the attempt; whichever fires ends it
    // synchronously, so a fake clock's Advance() delivers the end before it returns.
    private Task<AttemptResult> WaitAsync(ResolvedTask attempt, SimulatedAttempt script, string id, DateTimeOffset start, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<AttemptResult>();
        var ended = 0;
        ITimer? timer = null;
        CancellationTokenRegistration registration = default;
        void EndOnce(bool stopped)
        {
            if (Interlocked.Exchange(ref ended, 1) == 1)
            {
                return;
            }

            timer?.Dispose();
            registration.Unregister();
            _live.TryRemove(id, out _);
            completion.SetResult(End(attempt, script, start, stopped));
        }

        timer = _time.CreateTimer(_ => EndOnce(stopped: false), null, script.Duration, Timeout.InfiniteTimeSpan);
        registration = cancellationToken.Register(() => EndOnce(stopped: true));
        return completion.Task;
    }

    private AttemptResult End(ResolvedTask attempt, SimulatedAttempt script, DateTimeOffset start, bool stopped)
    {
        Interlocked.Decrement(ref _running);
        _history.Enqueue(new SimulatedRun(attempt.Task.Id, attempt.TryNumber, start, _time.GetUtcNow(), attempt));
        return stopped ? AttemptResult.Stopped("stopped")
            : script.LostReason is { } lost ? AttemptResult.Lost(lost)
            : AttemptResult.Exited(script.ExitCode, script.Output);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}

/// <summary>One attempt a <see cref="SimulatedRuntime"/> ran: which, when, and as rendered.</summary>
public sealed record SimulatedRun(string TaskId, int TryNumber, DateTimeOffset Start, DateTimeOffset End, ResolvedTask Attempt);
