using System.Diagnostics;
using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>
/// Every stored object, the global resource version, the change history and the open watches, behind one lock.
/// Watchers are fed through their own unbounded channels while the lock is held, so each change reaches every
/// watcher in resource-version order and no watcher waits for another.
/// </summary>
internal sealed partial class ClusterState(TimeProvider time)
{
    /// <summary>The kind of pods.</summary>
    public const string PodKind = "Pod";

    /// <summary>The kind of events.</summary>
    public const string EventKind = "Event";

    // Resource versions start above zero, as etcd revisions do: a list never says "0" (which means "any" to a watch).
    private const long FirstResourceVersion = 100;

    private readonly Lock _gate = new();
    private readonly ChangeHistory _history = new(10_000, FirstResourceVersion);
    private readonly Dictionary<string, PodEntry> _pods = new(StringComparer.Ordinal);
    private readonly List<WatchSubscription> _subscriptions = [];
    private readonly Dictionary<string, int> _created = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _terminalEmitted = new(StringComparer.Ordinal);
    private long _resourceVersion = FirstResourceVersion;
    private bool _closed;

    /// <summary>The lock around the state (and the containers' logs).</summary>
    public Lock Gate => _gate;

    /// <summary>The server clock.</summary>
    public TimeProvider Time => time;

    /// <summary>The current resource version.</summary>
    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    /// <summary>Stores a new pod and tells the watchers (ADDED); null when one of that name exists.</summary>
    public (PodEntry Entry, StoredObject Created)? Create(V1Pod pod, CancellationTokenSource script)
    {
        lock (_gate)
        {
            var key = pod.Metadata.NamespaceProperty + "/" + pod.Metadata.Name;
            if (_closed || _pods.ContainsKey(key))
            {
                return null;
            }

            PodDefaults.Apply(pod, time.GetUtcNow());
            var entry = new PodEntry(pod, script);
            foreach (var container in (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers))
            {
                entry.Logs[container.Name] = new ContainerLog();
            }

            entry.Current = Snapshot(pod);
            _pods[key] = entry;
            _created[pod.Metadata.Name] = _created.GetValueOrDefault(pod.Metadata.Name) + 1;
            Publish(new Change("ADDED", entry.Current, null));
            return (entry, entry.Current);
        }
    }

    /// <summary>
    /// Applies one status change of the fake kubelet: records its events, stores the pod (MODIFIED), ends the logs
    /// it ends. False when the pod is being deleted or stopped: the change is dropped.
    /// </summary>
    public bool Update(PodEntry entry, Action<PodUpdate> change)
    {
        lock (_gate)
        {
            if (entry.Stopped)
            {
                return false;
            }

            var update = new PodUpdate(entry.Pod, time.GetUtcNow());
            change(update);
            foreach (var spec in update.Events)
            {
                RecordEvent(entry, spec, update.Now);
            }

            Modify(entry, "MODIFIED");
            foreach (var container in update.EndedLogs)
            {
                entry.Logs.GetValueOrDefault(container)?.End();
            }

            if (update.Terminal)
            {
                _terminalEmitted[entry.Name] = Stopwatch.GetTimestamp();
                entry.Stopped = true;
            }

            return true;
        }
    }

    /// <summary>Appends lines to a container's log (the base container when <paramref name="container"/> is null).</summary>
    public void AppendLog(PodEntry entry, string? container, IReadOnlyList<string> lines, DateTimeOffset? at, bool cut)
    {
        lock (_gate)
        {
            if (entry.Stopped || !entry.Logs.TryGetValue(container ?? entry.BaseContainer, out var log))
            {
                return;
            }

            var when = at ?? time.GetUtcNow();
            foreach (var line in lines)
            {
                if (cut)
                {
                    log.AppendCut(new LogLine(when, line));
                }
                else
                {
                    log.Append(new LogLine(when, line));
                }
            }
        }
    }

    /// <summary>Completes once a follow stream that no cut has hit yet is open on the container's log.</summary>
    public async Task WaitForFollowerAsync(PodEntry entry, string? container, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task joined;
            lock (_gate)
            {
                if (!entry.Logs.TryGetValue(container ?? entry.BaseContainer, out var log) || log.HasUncutFollower)
                {
                    return;
                }

                joined = log.FollowerJoined;
            }

            await joined.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Deletes a pod as the API server and kubelet do together; returns the object a DELETE answers with (null when
    /// there is no such pod) and the grace period used. A pod that is unscheduled or terminal, or deleted with a grace
    /// period of 0, goes at once (DELETED only). Otherwise deletionTimestamp is set (MODIFIED), the running containers
    /// obey SIGTERM at once (exit code 143, MODIFIED) and the pod is removed (DELETED).
    /// </summary>
    public StoredObject? Delete(string @namespace, string name, long? gracePeriodSeconds, out long gracePeriodUsed)
    {
        PodEntry? entry;
        StoredObject? answer = null;
        lock (_gate)
        {
            gracePeriodUsed = 0;
            if (!_pods.TryGetValue(@namespace + "/" + name, out entry))
            {
                return null;
            }

            entry.Stopped = true;
            var pod = entry.Pod;
            var now = time.GetUtcNow();
            var terminal = pod.Status.Phase is "Succeeded" or "Failed";
            var grace = gracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30;
            gracePeriodUsed = string.IsNullOrEmpty(pod.Spec.NodeName) || terminal ? 0 : Math.Max(0, grace);
            pod.Metadata.DeletionTimestamp = KubeTime.Seconds(now.AddSeconds(gracePeriodUsed));
            pod.Metadata.DeletionGracePeriodSeconds = gracePeriodUsed;
            if (gracePeriodUsed > 0)
            {
                answer = Modify(entry, "MODIFIED");
                var update = new PodUpdate(pod, now);
                if (PodStatusWriter.KillRunning(update))
                {
                    foreach (var spec in update.Events)
                    {
                        RecordEvent(entry, spec, now);
                    }

                    Modify(entry, "MODIFIED");
                    if (update.Terminal)
                    {
                        _terminalEmitted[name] = Stopwatch.GetTimestamp();
                    }
                }
            }

            _pods.Remove(@namespace + "/" + name);
            foreach (var log in entry.Logs.Values)
            {
                log.End();
            }

            var deleted = Modify(entry, "DELETED");
            answer ??= deleted;
        }

        entry.Script.Cancel();
        return answer;
    }

    /// <summary>Reads the live model of a pod under the lock.</summary>
    public T Read<T>(PodEntry entry, Func<V1Pod, T> read)
    {
        lock (_gate)
        {
            return read(entry.Pod);
        }
    }

    /// <summary>A live pod, or null.</summary>
    public PodEntry? Find(string @namespace, string name)
    {
        lock (_gate)
        {
            return _pods.GetValueOrDefault(@namespace + "/" + name);
        }
    }

    /// <summary>The current objects of <paramref name="kind"/> the filter matches, in key order, and the resource version of the list.</summary>
    public (List<StoredObject> Items, long ResourceVersion) List(string kind, ObjectFilter filter)
    {
        List<StoredObject> items;
        long version;
        lock (_gate)
        {
            items = [.. Current(kind).Where(filter.Matches)];
            version = _resourceVersion;
        }

        items.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return (items, version);
    }

    /// <summary>How many creates of a pod of this name succeeded.</summary>
    public int CreatedCount(string name)
    {
        lock (_gate)
        {
            return _created.GetValueOrDefault(name);
        }
    }

    /// <summary>When the pod's terminal status was handed to the watchers (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long? TerminalEmitted(string name)
    {
        lock (_gate)
        {
            return _terminalEmitted.TryGetValue(name, out var at) ? at : null;
        }
    }

    /// <summary>Stops everything: scripts, logs and watches end.</summary>
    public void Close()
    {
        List<PodEntry> entries;
        lock (_gate)
        {
            _closed = true;
            entries = [.. _pods.Values];
            foreach (var entry in entries)
            {
                entry.Stopped = true;
                foreach (var log in entry.Logs.Values)
                {
                    log.End();
                }
            }

            foreach (var subscription in _subscriptions)
            {
                subscription.Channel.Writer.TryComplete();
            }

            _subscriptions.Clear();
        }

        foreach (var entry in entries)
        {
            entry.Script.Cancel();
        }
    }

    private IEnumerable<StoredObject> Current(string kind) =>
        kind == PodKind ? _pods.Values.Select(e => e.Current) : _events.Values;

    // Stores the pod's new state under a new resource version and tells the watchers.
    private StoredObject Modify(PodEntry entry, string type)
    {
        var previous = entry.Current;
        entry.Current = Snapshot(entry.Pod);
        Publish(new Change(type, entry.Current, previous));
        return entry.Current;
    }

    private StoredObject Snapshot(V1Pod pod)
    {
        var version = ++_resourceVersion;
        pod.Metadata.ResourceVersion = version.ToString(CultureInfo.InvariantCulture);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["metadata.name"] = pod.Metadata.Name,
            ["metadata.namespace"] = pod.Metadata.NamespaceProperty,
            ["spec.nodeName"] = pod.Spec.NodeName ?? "",
            ["spec.restartPolicy"] = pod.Spec.RestartPolicy ?? "",
            ["spec.schedulerName"] = pod.Spec.SchedulerName ?? "",
            ["spec.serviceAccountName"] = pod.Spec.ServiceAccountName ?? "",
            ["status.phase"] = pod.Status?.Phase ?? "",
            ["status.podIP"] = pod.Status?.PodIP ?? "",
            ["status.nominatedNodeName"] = pod.Status?.NominatedNodeName ?? "",
        };
        return new StoredObject(
            PodKind,
            pod.Metadata.NamespaceProperty,
            pod.Metadata.Name,
            version,
            pod.Metadata.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : [],
            fields,
            Encoding.UTF8.GetBytes(KubernetesJson.Serialize(pod)));
    }
}
