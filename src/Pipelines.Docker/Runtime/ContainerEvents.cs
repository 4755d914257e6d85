using System.Collections.Concurrent;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pipelines.Docker.Rendering;

namespace Pipelines.Docker.Runtime;

/// <summary>
/// One watch of the engine's events for a run's containers (by the store's label): which containers the kernel's OOM
/// killer hit. An engine sets <c>State.OOMKilled</c> from the same event, but on cgroup v2 (Docker 20.10) it can record the
/// exit before the event arrives; and the <c>oom</c> event can even come after the <c>die</c> event (containerd's shim
/// reports a task's OOM and its exit from separate watchers; seen under load on cgroup v1 too). So before it says whether
/// memory ran out, the runtime waits for the container's <c>oom</c> event when the container was killed (exit code 137,
/// what the OOM killer leaves), and for its <c>die</c> event otherwise.
/// </summary>
internal sealed class ContainerEvents : IDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _oom = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _died = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;

    /// <summary>Watches from <paramref name="since"/> on (the engine replays what it sent since then, so nothing is missed while the watch connects).</summary>
    public ContainerEvents(IDockerClient client, string storeId, DateTimeOffset since)
    {
        _watching = client.System.MonitorEventsAsync(
            new ContainerEventsParameters
            {
                Since = since.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["type"] = new Dictionary<string, bool> { ["container"] = true },
                    ["event"] = new Dictionary<string, bool> { ["oom"] = true, ["die"] = true },
                    ["label"] = new Dictionary<string, bool> { [$"{ContainerRenderer.StoreLabel}={storeId}"] = true },
                },
            },
            new SyncProgress<Message>(Seen),
            _stop.Token);
    }

    /// <summary>
    /// True when the OOM killer hit the container. Waits (at most <paramref name="patience"/>) for its <c>oom</c> event when
    /// it was <paramref name="killed"/> (SIGKILL), else for its <c>die</c> event.
    /// </summary>
    public async Task<bool> WasOomKilledAsync(string containerId, bool killed, TimeSpan patience, TimeProvider time)
    {
        if (!_watching.IsCompleted)
        {
            try
            {
                await (killed ? Event(_oom, containerId) : Event(_died, containerId)).Task.WaitAsync(patience, time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The watch fell behind or the event was lost: what was seen is the answer.
            }
        }

        return _oom.TryGetValue(containerId, out var oom) && oom.Task.IsCompleted;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private static TaskCompletionSource Event(ConcurrentDictionary<string, TaskCompletionSource> seen, string id) =>
        seen.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private void Seen(Message message)
    {
        var id = message.Actor?.ID ?? string.Empty;
        switch (message.Action)
        {
            case "oom":
                Event(_oom, id).TrySetResult();
                break;
            case "die":
                Event(_died, id).TrySetResult();
                break;
        }
    }
}
