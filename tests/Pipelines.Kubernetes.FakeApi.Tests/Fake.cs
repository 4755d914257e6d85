using System.Collections.Concurrent;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Pipelines.Kubernetes.FakeApi.Tests;

/// <summary>What the tests of the fake server share: pods to create, a time limit, a recorded watch.</summary>
internal static class Fake
{
    /// <summary>The namespace the tests use.</summary>
    public const string Namespace = "pipelines";

    /// <summary>A minimal pod as a client builds it: one container "base".</summary>
    public static V1Pod Pod(string name, IDictionary<string, string>? labels = null, params string[] sidecars) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec
        {
            RestartPolicy = "Never",
            Containers = [new V1Container { Name = "base", Image = "busybox:1.36", Command = ["sh", "-c", "echo hi"] }, .. sidecars.Select(s => new V1Container { Name = s, Image = "busybox:1.36" })],
        },
    };

    /// <summary>The test's token, cancelled after <paramref name="seconds"/> as well, so that a broken server fails a test instead of hanging it.</summary>
    public static CancellationToken Within(int seconds = 30)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(TimeSpan.FromSeconds(seconds));
        return source.Token;
    }

    /// <summary>The v1 Status a failed request was answered with.</summary>
    public static V1Status Status(HttpOperationException failure) => KubernetesJson.Deserialize<V1Status>(failure.Response.Content);

    /// <summary>The pod's base container's terminated state, or null.</summary>
    public static V1ContainerStateTerminated? Terminated(V1Pod pod) => pod.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Terminated;

    /// <summary>Whether the pod's phase is Succeeded or Failed.</summary>
    public static bool IsTerminal(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";
}

/// <summary>A pod watch through the real client, read in the background into a channel.</summary>
internal sealed class PodWatch : IAsyncDisposable
{
    private readonly Channel<(WatchEventType Type, V1Pod Pod)> _events = Channel.CreateUnbounded<(WatchEventType, V1Pod)>();
    private readonly CancellationTokenSource _stop = new();

    private PodWatch(k8s.Kubernetes client, string? resourceVersion, string? labelSelector, int? timeoutSeconds, bool bookmarks)
    {
        Completion = Task.Run(async () =>
        {
            try
            {
                await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(
                    Fake.Namespace,
                    allowWatchBookmarks: bookmarks,
                    labelSelector: labelSelector,
                    resourceVersion: resourceVersion,
                    timeoutSeconds: timeoutSeconds,
                    onError: Errors.Enqueue,
                    cancellationToken: _stop.Token))
                {
                    _events.Writer.TryWrite((type, pod));
                }
            }
            finally
            {
                _events.Writer.TryComplete();
            }
        });
    }

    /// <summary>The errors the client reported through onError (a 410 Status arrives here).</summary>
    public ConcurrentQueue<Exception> Errors { get; } = new();

    /// <summary>Ends when the stream ends; faults when the connection breaks.</summary>
    public Task Completion { get; }

    /// <summary>Starts watching pods of <see cref="Fake.Namespace"/>.</summary>
    public static PodWatch Start(k8s.Kubernetes client, string? resourceVersion = null, string? labelSelector = null, int? timeoutSeconds = null, bool bookmarks = false) =>
        new(client, resourceVersion, labelSelector, timeoutSeconds, bookmarks);

    /// <summary>The events up to and including the first that <paramref name="last"/> accepts.</summary>
    public async Task<List<(WatchEventType Type, V1Pod Pod)>> UntilAsync(Func<WatchEventType, V1Pod, bool> last, CancellationToken ct)
    {
        var seen = new List<(WatchEventType, V1Pod)>();
        try
        {
            await foreach (var (type, pod) in _events.Reader.ReadAllAsync(ct))
            {
                seen.Add((type, pod));
                if (last(type, pod))
                {
                    return seen;
                }
            }
        }
        catch (OperationCanceledException e)
        {
            throw new OperationCanceledException($"Cancelled after {Describe(seen)}; errors: {string.Join("; ", Errors.Select(x => x.Message))}", e, ct);
        }

        throw new InvalidOperationException($"The watch ended after {Describe(seen)} without the one awaited.");
    }

    private static string Describe(List<(WatchEventType Type, V1Pod Pod)> seen) =>
        seen.Count == 0 ? "no events" : string.Join(", ", seen.Select(e => $"{e.Type} {e.Pod.Metadata?.Name} {e.Pod.Status?.Phase} rv {e.Pod.Metadata?.ResourceVersion}"));

    /// <summary>Every event until the stream ends.</summary>
    public async Task<List<(WatchEventType Type, V1Pod Pod)>> RestAsync(CancellationToken ct)
    {
        var seen = new List<(WatchEventType, V1Pod)>();
        await foreach (var item in _events.Reader.ReadAllAsync(ct))
        {
            seen.Add(item);
        }

        return seen;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Completion;
        }
        catch (Exception)
        {
            // The watch was stopped or broken; what it saw was asserted already.
        }

        _stop.Dispose();
    }
}
