namespace Pipelines.Kubernetes.FakeApi;

/// <summary>Every request the server answered, in order. Thread-safe. A watch or follow stream counts once, when it opens.</summary>
public sealed class RequestLog
{
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<(Func<RecordedRequest, bool> Predicate, TaskCompletionSource<RecordedRequest> Found)> _waiters = [];
    private long _sequence;

    /// <summary>A snapshot of every recorded request, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>How many requests were recorded.</summary>
    public int Count()
    {
        lock (_gate)
        {
            return _requests.Count;
        }
    }

    /// <summary>How many requests of <paramref name="verb"/> on <paramref name="resource"/> were recorded (e.g. "create", "pods").</summary>
    public int Count(string verb, string resource)
    {
        lock (_gate)
        {
            return _requests.Count(r => r.Verb == verb && r.Resource == resource);
        }
    }

    /// <summary>The distinct (verb, resource) pairs recorded, in the order first seen.</summary>
    public IReadOnlyList<(string Verb, string Resource)> Distinct()
    {
        lock (_gate)
        {
            return [.. _requests.Select(r => (r.Verb, r.Resource)).Distinct()];
        }
    }

    /// <summary>Forgets every recorded request.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }

    /// <summary>The first recorded request (already, or later) that matches <paramref name="predicate"/>.</summary>
    public Task<RecordedRequest> WaitForAsync(Func<RecordedRequest, bool> predicate, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _requests.FirstOrDefault(predicate) is { } found ? Task.FromResult(found) : Wait(predicate, cancellationToken);
        }
    }

    /// <summary>
    /// Completes once <paramref name="count"/> requests of <paramref name="verb"/> on <paramref name="resource"/> have
    /// been recorded (e.g. the client has reopened its watch after <see cref="FakeFaults.DropWatches"/>).
    /// </summary>
    public Task WaitForCountAsync(string verb, string resource, int count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var seen = _requests.Count(r => r.Verb == verb && r.Resource == resource);
            return seen >= count
                ? Task.CompletedTask
                : Wait(r => r.Verb == verb && r.Resource == resource && ++seen >= count, cancellationToken);
        }
    }

    // Under the lock: a waiter the next matching request completes, removed again if cancelled.
    private Task<RecordedRequest> Wait(Func<RecordedRequest, bool> predicate, CancellationToken cancellationToken)
    {
        var found = new TaskCompletionSource<RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = (predicate, found);
        _waiters.Add(waiter);
        var registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }

            found.TrySetCanceled(cancellationToken);
        });
        _ = found.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return found.Task;
    }

    internal RecordedRequest Add(Func<long, RecordedRequest> create)
    {
        lock (_gate)
        {
            var request = create(++_sequence);
            _requests.Add(request);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Predicate(request))
                {
                    _waiters[i].Found.TrySetResult(request);
                    _waiters.RemoveAt(i);
                }
            }

            return request;
        }
    }
}
