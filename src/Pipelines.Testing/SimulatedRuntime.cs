using System.Collections.Concurrent;
using System.Globalization;
using Pipelines.Execution.Runtimes;
using Pipelines.Resolution;

namespace Pipelines.Testing;

/// <summary>
/// A runtime that runs nothing: each attempt follows a script (duration, exit code, output, log lines) on a
/// <see cref="TimeProvider"/>, so tests and benchmarks drive whole DAGs in virtual time. It keeps the contract of a real
/// runtime: an attempt's end stays readable until it is forgotten, an adopted attempt is joined (a live one) or read (an
/// ended one) and its log continues after the cursor it is given. It records every attempt it ran, and the most that ran at once.
/// </summary>
public sealed class SimulatedRuntime : IContainerRuntime
{
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Func<ResolvedTask, SimulatedAttempt>> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SimulatedRun> _history = new();
    private readonly ConcurrentDictionary<AttemptKey, SimulatedState> _attempts = new();
    private readonly ConcurrentQueue<(string TaskId, int TryNumber, string? Handle)> _adopted = new();
    private readonly ConcurrentQueue<AttemptKey> _forgotten = new();
    private int _running;
    private int _maxRunning;
    private int _openSessions;
    private int _sessionsOpened;

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

    /// <summary>Attempts that are live now: their attempt ids (<c>dag/run/task/try</c>).</summary>
    public ICollection<string> LiveAttempts => [.. _attempts.Where(a => a.Value.Live).Select(a => a.Key.ToString())];

    /// <summary>
    /// What adopting an attempt an earlier host started gives, from the attempt and its recorded handle, instead of what
    /// this runtime knows of it (a live attempt is joined, an ended one read, an unknown one never started: null).
    /// </summary>
    public Func<ResolvedTask, string?, AttemptResult?>? Adopt { get; set; }

    /// <summary>Every attempt the executor said it recorded the end of (<see cref="IRuntimeSession.ForgetAsync"/>), in order.</summary>
    public IReadOnlyList<AttemptKey> Forgotten => [.. _forgotten];

    /// <summary>Every attempt adopted, with the handle the store had for it.</summary>
    public IReadOnlyList<(string TaskId, int TryNumber, string? Handle)> Adopted => [.. _adopted];

    /// <summary>Sessions opened and not yet disposed.</summary>
    public int OpenSessions => Volatile.Read(ref _openSessions);

    /// <summary>Sessions opened in all.</summary>
    public int SessionsOpened => Volatile.Read(ref _sessionsOpened);

    /// <summary>Scripts a task's attempts: the first try does <c>attempts[0]</c>, the second <c>attempts[1]</c>, …; later tries repeat the last.</summary>
    public SimulatedRuntime Script(string taskId, params SimulatedAttempt[] attempts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(attempts.Length);
        _scripts[taskId] = task => attempts[Math.Min(task.TryNumber, attempts.Length) - 1];
        return this;
    }

    /// <summary>Scripts a task with a function of the resolved attempt (it sees resolved templates).</summary>
    public SimulatedRuntime Script(string taskId, Func<ResolvedTask, SimulatedAttempt> script)
    {
        _scripts[taskId] = script;
        return this;
    }

    /// <inheritdoc />
    public ValueTask<IRuntimeSession> OpenAsync(RunContext run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        Interlocked.Increment(ref _openSessions);
        Interlocked.Increment(ref _sessionsOpened);
        return ValueTask.FromResult<IRuntimeSession>(new Session(this, run));
    }

    private Task<AttemptResult> RunAsync(ResolvedTask attempt, IAttemptSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(sink);
        var script = _scripts.TryGetValue(attempt.Task.Id, out var s) ? s(attempt) : Default(attempt);
        var key = AttemptKey.Of(attempt);
        var state = new SimulatedState(attempt, script, "simulated:" + key, _time.GetUtcNow());
        _attempts[key] = state;
        var started = sink.StartedAsync(state.Handle); // throws when the start cannot be recorded: nothing runs
        if (!started.IsCompletedSuccessfully)
        {
            started.AsTask().GetAwaiter().GetResult();
        }

        InterlockedMax(ref _maxRunning, Interlocked.Increment(ref _running));
        Deliver(state, sink, 0);
        if (script.Duration <= TimeSpan.Zero)
        {
            // Zero-length attempts end synchronously: no timer, no thread hop.
            return Task.FromResult(End(state, stopped: false));
        }

        state.Ended = new TaskCompletionSource<AttemptResult>();
        state.Live = true;
        state.Timer = _time.CreateTimer(_ => EndOnce(state, stopped: false), null, script.Duration, Timeout.InfiniteTimeSpan);
        state.Registration = cancellationToken.Register(() => EndOnce(state, stopped: true));
        return state.Ended.Task;
    }

    private async Task<AttemptResult?> AdoptAsync(ResolvedTask attempt, string? handle, LogCursor? resumeAfter, IAttemptSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        _adopted.Enqueue((attempt.Task.Id, attempt.TryNumber, handle));
        if (Adopt is { } adopt)
        {
            return adopt(attempt, handle);
        }

        if (!_attempts.TryGetValue(AttemptKey.Of(attempt), out var state))
        {
            return null;
        }

        var from = resumeAfter is { } cursor ? int.Parse(cursor.Value, CultureInfo.InvariantCulture) : 0;
        Deliver(state, sink, from);
        if (state.Result is { } ended)
        {
            return ended;
        }

        using var registration = cancellationToken.Register(() => EndOnce(state, stopped: true));
        return await state.Ended!.Task.ConfigureAwait(false);
    }

    // Lines from index `from`, each with the cursor after it: the number of lines delivered up to it.
    private void Deliver(SimulatedState state, IAttemptSink sink, int from)
    {
        var lines = state.Script.Logs ?? [];
        for (var i = from; i < lines.Count; i++)
        {
            sink.Log(new LogLine(LogStream.Stdout, state.Start, lines[i], new LogCursor((i + 1).ToString(CultureInfo.InvariantCulture))));
        }
    }

    private void Forget(AttemptKey attempt)
    {
        _forgotten.Enqueue(attempt);
        if (_attempts.TryRemove(attempt, out var state))
        {
            EndOnce(state, stopped: true); // one the store never recorded: stopped, as a real runtime stops it
        }
    }

    private IReadOnlyList<Leftover> Leftovers(RunContext run) =>
        [.. _attempts.Where(a => a.Key.DagId == run.Dag.Id && a.Key.RunId == run.RunId)
            .Select(a => new Leftover(a.Key, a.Value.Handle, a.Value.Live))];

    // A timer and a cancellation race to end the attempt; whichever fires ends it synchronously — the awaiting
    // executor continues inline — so a fake clock's Advance() delivers the end before it returns.
    private void EndOnce(SimulatedState state, bool stopped)
    {
        if (!state.Live || Interlocked.Exchange(ref state.Ending, 1) == 1)
        {
            return;
        }

        state.Timer?.Dispose();
        state.Registration.Unregister();
        End(state, stopped);
    }

    private AttemptResult End(SimulatedState state, bool stopped)
    {
        Interlocked.Decrement(ref _running);
        state.Live = false;
        _history.Enqueue(new SimulatedRun(state.Attempt.Task.Id, state.Attempt.TryNumber, state.Start, _time.GetUtcNow(), state.Attempt));
        var script = state.Script;
        var result = stopped ? AttemptResult.Stopped("stopped")
            : script.LostReason is { } lost ? AttemptResult.Lost(script.Loss, lost)
            : AttemptResult.Exited(script.ExitCode, script.Output);
        state.Result = result;
        state.Ended?.TrySetResult(result);
        return result;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private sealed class SimulatedState(ResolvedTask attempt, SimulatedAttempt script, string handle, DateTimeOffset start)
    {
        public ResolvedTask Attempt { get; } = attempt;

        public SimulatedAttempt Script { get; } = script;

        public string Handle { get; } = handle;

        public DateTimeOffset Start { get; } = start;

        // Made for an attempt that lasts (a zero-length one ends before RunAsync returns); completed synchronously on
        // purpose: see EndOnce.
        public TaskCompletionSource<AttemptResult>? Ended { get; set; }

        public AttemptResult? Result { get; set; }

        public ITimer? Timer { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public volatile bool Live;

        public int Ending;
    }

    private sealed class Session(SimulatedRuntime runtime, RunContext run) : IRuntimeSession
    {
        private int _disposed;

        public Task<AttemptResult> RunAsync(ResolvedTask attempt, IAttemptSink sink, CancellationToken cancellationToken) =>
            runtime.RunAsync(attempt, sink, cancellationToken);

        public Task<AttemptResult?> AdoptAsync(ResolvedTask attempt, string? handle, LogCursor? resumeAfter, IAttemptSink sink, CancellationToken cancellationToken) =>
            runtime.AdoptAsync(attempt, handle, resumeAfter, sink, cancellationToken);

        public Task<IReadOnlyList<Leftover>> FindLeftoversAsync(CancellationToken cancellationToken) => Task.FromResult(runtime.Leftovers(run));

        public Task ForgetAsync(AttemptKey attempt)
        {
            runtime.Forget(attempt);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref runtime._openSessions);
            }

            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>One attempt a <see cref="SimulatedRuntime"/> ran: which, when, and as resolved.</summary>
public sealed record SimulatedRun(string TaskId, int TryNumber, DateTimeOffset Start, DateTimeOffset End, ResolvedTask Attempt);
