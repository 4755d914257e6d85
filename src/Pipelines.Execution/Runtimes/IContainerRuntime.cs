using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Execution.Runtimes;

/// <summary>
/// Runs task attempts somewhere: local processes, a Docker engine, Kubernetes, or a simulation.
/// The executor decides what runs when; a runtime runs one rendered attempt to its end, streams
/// its log lines, and can find an attempt an earlier host started, so that a restarted host adopts
/// it instead of starting it twice.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>The runtime's name: <c>process</c>, <c>docker</c>, <c>kubernetes</c> or <c>simulated</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Starts the attempt and waits for its end. Calls <see cref="IAttemptSink.StartedAsync"/> once the
    /// attempt exists (with a handle that <see cref="AdoptAsync"/> understands), and
    /// <see cref="IAttemptSink.Log"/> for each log line. When <paramref name="cancellationToken"/>
    /// fires, stops the attempt (SIGTERM, then SIGKILL after the task's stop grace period) and
    /// returns <see cref="AttemptOutcome.Stopped"/>.
    /// </summary>
    Task<AttemptResult> RunAsync(ResolvedTask attempt, IAttemptSink sink, CancellationToken cancellationToken);

    /// <summary>
    /// Finds an attempt an earlier host started — by <paramref name="handle"/> when one was recorded,
    /// else by the attempt's identity — and waits for its end like <see cref="RunAsync"/>. Returns
    /// null when the attempt does not exist (it never started), so the executor can start it.
    /// A runtime that cannot re-attach stops what it finds and returns <see cref="AttemptOutcome.Lost"/>
    /// with reason <c>host-crash</c>.
    /// </summary>
    Task<AttemptResult?> AdoptAsync(ResolvedTask attempt, string? handle, IAttemptSink sink, CancellationToken cancellationToken);

    /// <summary>
    /// The attempt's end is recorded in the run store: removes what the runtime kept so that a restarted
    /// host could still read how it ended (the process runtime's attempt folder with its exit status and
    /// output; a container, per its cleanup policy). Until this is called, an ended attempt stays readable by
    /// <see cref="AdoptAsync"/> — a host that dies between an attempt's end and its record loses nothing.
    /// Best effort and idempotent: an attempt with nothing left is no error.
    /// </summary>
    Task ForgetAsync(AttemptKey attempt);
}

/// <summary>Which attempt: DAG, run, task and try number.</summary>
/// <param name="DagId">The DAG.</param>
/// <param name="RunId">The run.</param>
/// <param name="TaskId">The task.</param>
/// <param name="TryNumber">The try number, from 1.</param>
public readonly record struct AttemptKey(string DagId, string RunId, string TaskId, int TryNumber)
{
    /// <summary>The key of a rendered attempt.</summary>
    public static AttemptKey Of(ResolvedTask attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return new(attempt.DagId, attempt.Run.RunId, attempt.Task.Id, attempt.TryNumber);
    }
}

/// <summary>Where a runtime reports an attempt's start and log lines.</summary>
public interface IAttemptSink
{
    /// <summary>The attempt exists; <paramref name="handle"/> finds it again (container id, pod name, pid and start time).</summary>
    ValueTask StartedAsync(string handle);

    /// <summary>One line the attempt wrote to stdout or stderr.</summary>
    void Log(string line);
}
