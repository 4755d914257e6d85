using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Pipelines.Kubernetes.Runtime;

/// <summary>
/// One watch of a run's pods in one namespace, by label selector (the store, the DAG, the run): a list, then a watch
/// from the list's resourceVersion, that keeps the latest state of every pod and wakes whoever waits on one. Every
/// decision of the runtime — scheduled, started, terminated, deleted — is made on what this watch delivers; nothing
/// polls. A stream that drops is opened again from the last resourceVersion seen; a 410 Gone (an <c>ERROR</c> event
/// carrying a Status, inside an HTTP 200 stream, or the HTTP status itself) lists again and goes on from the new list.
/// </summary>
internal sealed class PodWatch : IAsyncDisposable
{
    /// <summary>How long a watch request may stay open before the server ends it and it is opened again.</summary>
    private const int WatchSeconds = 300;

    private readonly KubernetesApi _api;
    private readonly string _selector;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _pods = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private string? _failure;

    public PodWatch(KubernetesApi api, string @namespace, string selector, TimeProvider time)
    {
        _api = api;
        Namespace = @namespace;
        _selector = selector;
        _time = time;
    }

    /// <summary>The namespace watched.</summary>
    public string Namespace { get; }

    /// <summary>How many times the watch listed again after a 410 Gone.</summary>
    public int Relists { get; private set; }

    /// <summary>How many times a watch stream was opened again after it ended or dropped.</summary>
    public int Reopens { get; private set; }

    /// <summary>Lists the pods and starts watching; returns once the list is in.</summary>
    /// <exception cref="KubernetesWatchException">The API server refused the list (401, 403, a missing namespace).</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(RunAsync, CancellationToken.None);
        await _synced.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The pods the watch knows, live ones only.</summary>
    public IReadOnlyList<V1Pod> Pods()
    {
        lock (_gate)
        {
            return [.. _pods.Values.Where(e => e.Pod is not null && !e.Deleted).Select(e => e.Pod!)];
        }
    }

    /// <summary>The pod's latest state: null when the watch has not seen it; <c>Deleted</c> once it is gone.</summary>
    public (V1Pod? Pod, bool Deleted) Current(string name)
    {
        lock (_gate)
        {
            return _pods.TryGetValue(name, out var entry) ? (entry.Pod, entry.Deleted) : (null, false);
        }
    }

    /// <summary>A pod the runtime just created (or read): known before its first event arrives, unless the watch knows newer.</summary>
    public void Seed(V1Pod pod)
    {
        lock (_gate)
        {
            var entry = EntryOf(pod.Metadata.Name);
            if (entry.Pod is null && !entry.Deleted)
            {
                entry.Pod = pod;
                Wake(entry);
            }
        }
    }

    /// <summary>
    /// The runtime deleted the pod (it was forgotten): it counts as gone now, before the watch delivers its last events, so
    /// that what the run has left never lists it again.
    /// </summary>
    public void Forget(string name)
    {
        lock (_gate)
        {
            var entry = EntryOf(name);
            entry.Forgotten = true;
            entry.Deleted = true;
            Wake(entry);
        }
    }

    /// <summary>
    /// Waits until <paramref name="done"/> holds for the pod's state (pod, deleted), or <paramref name="until"/> passes
    /// (returns the state then), or the watch fails for good (throws).
    /// </summary>
    public async Task<(V1Pod? Pod, bool Deleted)> WaitAsync(string name, Func<V1Pod?, bool, bool> done, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var entry = EntryOf(name);
                if (done(entry.Pod, entry.Deleted))
                {
                    return (entry.Pod, entry.Deleted);
                }

                if (_failure is not null)
                {
                    throw new KubernetesWatchException(_failure);
                }

                changed = entry.Changed.Task;
            }

            if (until is { } deadline)
            {
                var left = deadline - _time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    return Current(name);
                }

                using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(left, _time, timer.Token);
                await Task.WhenAny(changed, delay).ConfigureAwait(false);
                await timer.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
            else
            {
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        string? version = null;
        var failures = 0;
        var unauthorized = 0;
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            var client = _api.Client;
            try
            {
                if (version is null)
                {
                    var list = await client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: _selector, cancellationToken: token).ConfigureAwait(false);
                    Replace(list.Items);
                    unauthorized = 0;
                    version = list.Metadata?.ResourceVersion;
                    _synced.TrySetResult();
                }

                var gone = false;
                var events = client.CoreV1.WatchListNamespacedPodAsync(
                    Namespace,
                    allowWatchBookmarks: true,
                    labelSelector: _selector,
                    resourceVersion: version,
                    timeoutSeconds: WatchSeconds,
                    onError: ex => gone |= ex is KubernetesException { Status.Code: 410 },
                    cancellationToken: token);
                await foreach (var (type, pod) in events.ConfigureAwait(false))
                {
                    failures = 0;
                    unauthorized = 0;
                    version = pod?.Metadata?.ResourceVersion ?? version;
                    if (pod?.Metadata?.Name is not null && type != WatchEventType.Bookmark && type != WatchEventType.Error)
                    {
                        Apply(type, pod);
                    }
                }

                if (gone)
                {
                    version = null; // too old: list again
                    Relists++;
                }

                Reopens++;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
            {
                version = null;
                Relists++;
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Unauthorized && ++unauthorized < KubernetesApi.UnauthorizedTries && _api.Refresh(client))
            {
                // Credentials read again; 401s in a row with fresh credentials, each a little later, are final.
                try
                {
                    await Task.Delay(KubernetesApi.UnauthorizedDelay(unauthorized), _time, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                Fail($"the API server refused to list and watch pods in namespace '{Namespace}': {KubernetesApi.Describe(ex)}");
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or HttpOperationException or KubernetesException or System.Text.Json.JsonException or OperationCanceledException)
            {
                // A dropped stream, an API server restarting: open it again from the last resourceVersion, backing off.
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(5000, 50 * Math.Pow(2, Math.Min(failures, 10))));
                try
                {
                    await Task.Delay(failures == 1 ? TimeSpan.Zero : delay, _time, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                Reopens++;
            }
        }

        _synced.TrySetCanceled(token);
    }

    private void Fail(string reason)
    {
        lock (_gate)
        {
            _failure = reason;
            foreach (var entry in _pods.Values)
            {
                Wake(entry);
            }
        }

        _synced.TrySetException(new KubernetesWatchException(reason));
    }

    private void Apply(WatchEventType type, V1Pod pod)
    {
        lock (_gate)
        {
            var entry = EntryOf(pod.Metadata.Name);
            entry.Pod = pod;
            entry.Deleted = type == WatchEventType.Deleted || (entry.Forgotten && type != WatchEventType.Added);
            entry.Forgotten &= type != WatchEventType.Added; // a new pod of the same name (a test run's again)
            Wake(entry);
        }
    }

    private void Replace(IList<V1Pod> pods)
    {
        lock (_gate)
        {
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pod in pods)
            {
                listed.Add(pod.Metadata.Name);
                var entry = EntryOf(pod.Metadata.Name);
                entry.Pod = pod;
                entry.Deleted = false;
                Wake(entry);
            }

            foreach (var (name, entry) in _pods)
            {
                if (!listed.Contains(name) && entry.Pod is not null && !entry.Deleted)
                {
                    entry.Deleted = true; // deleted while the watch was away
                    Wake(entry);
                }
            }
        }
    }

    private Entry EntryOf(string name)
    {
        if (!_pods.TryGetValue(name, out var entry))
        {
            entry = new Entry();
            _pods[name] = entry;
        }

        return entry;
    }

    private static void Wake(Entry entry)
    {
        var changed = entry.Changed;
        entry.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private sealed class Entry
    {
        public V1Pod? Pod { get; set; }

        public bool Deleted { get; set; }

        public bool Forgotten { get; set; }

        public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The watch of a run's pods failed for good (the API server refused it); <see cref="Exception.Message"/> says how.</summary>
internal sealed class KubernetesWatchException(string message) : Exception(message);
