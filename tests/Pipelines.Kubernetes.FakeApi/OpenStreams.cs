using System.Collections.Concurrent;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>The watch and follow-log streams being served, so that faults can drop them.</summary>
internal sealed class OpenStreams
{
    private readonly ConcurrentDictionary<OpenStream, byte> _open = new();

    /// <summary>Registers a stream; dispose it when the response ends.</summary>
    public OpenStream Open(bool watch, string? token)
    {
        var stream = new OpenStream(this, watch, token);
        _open[stream] = 0;
        return stream;
    }

    /// <summary>Asks every open stream that <paramref name="which"/> selects to drop its connection.</summary>
    public void Abort(Func<OpenStream, bool> which)
    {
        foreach (var stream in _open.Keys)
        {
            if (which(stream))
            {
                stream.Abort();
            }
        }
    }

    internal void Remove(OpenStream stream) => _open.TryRemove(stream, out _);
}

/// <summary>One open stream: whether it is a watch, the token it was opened with, and its abort signal.</summary>
internal sealed class OpenStream(OpenStreams registry, bool watch, string? token) : IDisposable
{
    // Never disposed: it has no timer, and Abort may race with the end of the response.
    private readonly CancellationTokenSource _abort = new();

    /// <summary>True for a watch, false for a follow-log stream.</summary>
    public bool IsWatch { get; } = watch;

    /// <summary>The bearer token of the request that opened it.</summary>
    public string? Token { get; } = token;

    /// <summary>Cancelled when the stream must drop its connection (the handler then aborts it).</summary>
    public CancellationToken Aborted => _abort.Token;

    /// <summary>Signals the stream to drop its connection.</summary>
    public void Abort() => _abort.Cancel();

    /// <summary>Unregisters the stream.</summary>
    public void Dispose() => registry.Remove(this);
}
