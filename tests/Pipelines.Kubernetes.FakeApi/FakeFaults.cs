using System.Collections.Concurrent;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>The faults a test injects into a <see cref="FakeKubernetesServer"/>. Thread-safe.</summary>
public sealed class FakeFaults
{
    private readonly ClusterState _state;
    private readonly OpenStreams _streams;
    private readonly Credentials _credentials;
    private readonly ConcurrentQueue<FakeFailure> _createFailures = new();
    private readonly ConcurrentDictionary<(string Verb, string Resource), byte> _forbidden = new();
    private int _goneWatches;
    private string _user = "system:serviceaccount:default:default";

    internal FakeFaults(ClusterState state, OpenStreams streams, Credentials credentials)
    {
        _state = state;
        _streams = streams;
        _credentials = credentials;
    }

    /// <summary>The user the Forbidden messages name. Default <c>system:serviceaccount:default:default</c>.</summary>
    public string User
    {
        get => Volatile.Read(ref _user);
        set => Volatile.Write(ref _user, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Drops every open watch connection (pods and events) now, mid-stream: the client sees a broken connection.</summary>
    public void DropWatches() => _streams.Abort(s => s.IsWatch);

    /// <summary>
    /// The next <paramref name="count"/> watch requests that resume from a resource version (other than 0) get
    /// 200 with one ERROR line (410 Expired, "too old resource version") and the end of the stream.
    /// </summary>
    public void GoneOnNextWatches(int count = 1) => Interlocked.Add(ref _goneWatches, count);

    /// <summary>Drops the whole watch history: a watch from any resource version before the current one gets 410 Expired.</summary>
    public void CompactHistory() => _state.CompactHistory();

    /// <summary>The next pod creates are answered with these failures, one each, in order; a failed create stores nothing.</summary>
    public void FailNextCreates(params FakeFailure[] failures)
    {
        foreach (var failure in failures)
        {
            _createFailures.Enqueue(failure);
        }
    }

    /// <summary>From now on <paramref name="verb"/> on <paramref name="resource"/> (e.g. "delete", "pods"; "get", "pods/log") gets 403 Forbidden.</summary>
    public void Forbid(string verb, string resource) => _forbidden[(verb, resource)] = 0;

    /// <summary>Undoes <see cref="Forbid"/>.</summary>
    public void Allow(string verb, string resource) => _forbidden.TryRemove((verb, resource), out _);

    /// <summary>
    /// The current token (and every older one) stops being accepted and a new one becomes current: the token files
    /// written by <see cref="FakeKubernetesServer.WriteKubeconfig"/> with an exec credential are rewritten, and every
    /// open watch and log stream opened with an old token is dropped (as a real server closes a watch at its timeout;
    /// the client's reconnect then gets 401 until it reads the new token). Meaningful with
    /// <see cref="FakeServerOptions.RequireToken"/>.
    /// </summary>
    /// <returns>The new current token.</returns>
    public string ExpireToken()
    {
        var token = _credentials.Rotate(expire: true);
        _streams.Abort(s => s.Token != token);
        return token;
    }

    internal bool TakeGoneWatch()
    {
        while (true)
        {
            var left = Volatile.Read(ref _goneWatches);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _goneWatches, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    internal FakeFailure? TakeCreateFailure() => _createFailures.TryDequeue(out var failure) ? failure : null;

    internal bool IsForbidden(string verb, string resource) => !_forbidden.IsEmpty && _forbidden.ContainsKey((verb, resource));
}
