using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;

namespace Pipelines.Execution;

/// <summary>
/// Writes a run's state: batches committed whole, one at a time. Once the run has started, a failed write stops it (as
/// a cancellation does) instead of throwing, and nothing more is written, so the store keeps the last state it committed
/// whole. What an attempt's runtime kept to report its end is forgotten only after that end is committed.
/// </summary>
internal sealed class StoreWriter(IRunStore store, object gate, CancellationTokenSource stop, IRuntimeSession session)
{
    private readonly List<Task> _forgetting = [];
    private RunStateWriteException? _failure;

    /// <summary>The write that stopped the run, once one failed.</summary>
    public RunStateWriteException? Failure => Volatile.Read(ref _failure);

    /// <summary>Commits <paramref name="batch"/>; a failure throws (before the run starts, nothing is to be stopped).</summary>
    public void Commit(StoreBatch batch)
    {
        if (batch.IsEmpty)
        {
            return;
        }

        lock (gate)
        {
            store.Commit(batch);
        }
    }

    /// <summary>Commits <paramref name="batch"/>, then forgets the attempts whose end it records; false (and the run stops) when it fails.</summary>
    public bool TryCommit(StoreBatch batch)
    {
        if (Failure is not null)
        {
            return false;
        }

        try
        {
            Commit(batch);
        }
        catch (RunStoreException e)
        {
            Stop(new RunStateWriteException(e.Location, "the run store", e));
            return false;
        }

        foreach (var (dagId, runId, attempt) in batch.Attempts)
        {
            if (attempt.State is not (AttemptState.Starting or AttemptState.Running))
            {
                Forget(new AttemptKey(dagId, runId, attempt.TaskId, attempt.TryNumber), attempt.LogPath);
            }
        }

        return true;
    }

    /// <summary>Stops the run for <paramref name="failure"/> (the first one wins): running attempts are stopped and nothing else starts.</summary>
    public void Stop(RunStateWriteException failure)
    {
        if (Interlocked.CompareExchange(ref _failure, failure, null) is null)
        {
            stop.Cancel();
        }
    }

    /// <summary>
    /// Lets the runtime remove what it kept of an ended attempt, and removes the attempt's log cursor: both only serve a
    /// host that resumes before the end is recorded. Best effort, off the loop.
    /// </summary>
    public void Forget(AttemptKey attempt, string? logPath)
    {
        var forgetting = Task.Run(async () =>
        {
            try
            {
                await session.ForgetAsync(attempt).ConfigureAwait(false);
                if (logPath is not null)
                {
                    File.Delete(AttemptLogSink.CursorFile(logPath));
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // What is left is only what nobody can need any more.
            }
        });
        lock (_forgetting)
        {
            _forgetting.Add(forgetting);
        }
    }

    /// <summary>Completes when every forget started so far has.</summary>
    public Task WhenForgottenAsync()
    {
        lock (_forgetting)
        {
            return Task.WhenAll([.. _forgetting]);
        }
    }
}
