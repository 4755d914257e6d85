using System.Threading.Channels;
using k8s.Models;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>A live pod: its model (changed only under the state lock), its current stored version, logs and script.</summary>
internal sealed class PodEntry(V1Pod pod, CancellationTokenSource script)
{
    /// <summary>The pod's model; changed only under the state lock, never handed out (copies are).</summary>
    public V1Pod Pod { get; } = pod;

    /// <summary>The pod's namespace.</summary>
    public string Namespace => Pod.Metadata.NamespaceProperty;

    /// <summary>The pod's name.</summary>
    public string Name => Pod.Metadata.Name;

    /// <summary>The version watchers and readers last saw.</summary>
    public StoredObject Current { get; set; } = null!;

    /// <summary>The logs by container name (init containers included).</summary>
    public Dictionary<string, ContainerLog> Logs { get; } = new(StringComparer.Ordinal);

    /// <summary>Cancelled when the pod is deleted or the server stops: its script stops.</summary>
    public CancellationTokenSource Script { get; } = script;

    /// <summary>True once deletion began or the script reached its end state: the script may change nothing more.</summary>
    public bool Stopped { get; set; }

    /// <summary>The name of the base container (<c>spec.containers[0]</c>).</summary>
    public string BaseContainer => Pod.Spec.Containers[0].Name;
}

/// <summary>An open watch: which kind and objects it sees, and the channel that feeds its stream.</summary>
internal sealed class WatchSubscription(string kind, ObjectFilter filter)
{
    /// <summary><c>Pod</c> or <c>Event</c>.</summary>
    public string Kind { get; } = kind;

    /// <summary>The namespace and selectors of the watch.</summary>
    public ObjectFilter Filter { get; } = filter;

    /// <summary>Unbounded, so that a slow watcher never holds up the state lock or another watcher.</summary>
    public Channel<WatchItem> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<WatchItem>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
}

/// <summary>An event the fake kubelet or scheduler records about a pod.</summary>
internal sealed record EventSpec(string Type, string Reason, string Message, string Component, string? FieldPath);

/// <summary>One change of a pod's status by the fake kubelet: the model to change, the time, and the events to record.</summary>
internal sealed class PodUpdate(V1Pod pod, DateTimeOffset now)
{
    /// <summary>The pod's live model.</summary>
    public V1Pod Pod { get; } = pod;

    /// <summary>The server clock's time of the change.</summary>
    public DateTimeOffset Now { get; } = now;

    /// <summary><see cref="Now"/> in whole seconds, as the API keeps times.</summary>
    public DateTime Time => KubeTime.Seconds(Now);

    /// <summary>The events to record with the change.</summary>
    public List<EventSpec> Events { get; } = [];

    /// <summary>Containers whose logs are complete after the change.</summary>
    public List<string> EndedLogs { get; } = [];

    /// <summary>Whether the change makes the pod terminal (its time of emission is recorded).</summary>
    public bool Terminal { get; set; }

    /// <summary>Records an event about the pod.</summary>
    public void Event(string type, string reason, string message, string component = "kubelet", string? fieldPath = null) =>
        Events.Add(new EventSpec(type, reason, message, component, fieldPath));
}
