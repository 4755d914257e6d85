using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>The core/v1 Events the fake kubelet and scheduler record, stored and watched like pods.</summary>
internal sealed partial class ClusterState
{
    // Events expire on a real cluster (after an hour); here the oldest go once there are this many.
    private const int EventCapacity = 20_000;

    private readonly Dictionary<string, StoredObject> _events = new(StringComparer.Ordinal);
    private readonly Queue<string> _eventOrder = new();
    private long _lastEventNanos;

    /// <summary>The field selectors a pod list or watch supports.</summary>
    public static IReadOnlySet<string> PodFields { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
        "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName",
    };

    /// <summary>The field selectors an event list or watch supports.</summary>
    public static IReadOnlySet<string> EventFields { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "metadata.name", "metadata.namespace", "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    };

    /// <summary>The stored JSON of every live pod.</summary>
    public List<byte[]> PodJson()
    {
        lock (_gate)
        {
            return [.. _pods.Values.OrderBy(e => e.Current.Key, StringComparer.Ordinal).Select(e => e.Current.Json)];
        }
    }

    // Records one event about a pod (under the lock), named <pod>.<hex nanoseconds> as the kubelet names them.
    private void RecordEvent(PodEntry entry, EventSpec spec, DateTimeOffset now)
    {
        var nanos = Math.Max((now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100, _lastEventNanos + 1);
        _lastEventNanos = nanos;
        var version = ++_resourceVersion;
        var pod = entry.Pod;
        var host = spec.Component == "kubelet" ? pod.Spec.NodeName : null;
        var time = KubeTime.Seconds(now);
        var record = new Corev1Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta
            {
                Name = $"{pod.Metadata.Name}.{nanos:x}",
                NamespaceProperty = pod.Metadata.NamespaceProperty,
                Uid = Guid.NewGuid().ToString(),
                ResourceVersion = version.ToString(CultureInfo.InvariantCulture),
                CreationTimestamp = time,
            },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = "v1",
                Kind = PodKind,
                Name = pod.Metadata.Name,
                NamespaceProperty = pod.Metadata.NamespaceProperty,
                Uid = pod.Metadata.Uid,
                ResourceVersion = pod.Metadata.ResourceVersion,
                FieldPath = spec.FieldPath,
            },
            Reason = spec.Reason,
            Message = spec.Message,
            Type = spec.Type,
            Source = new V1EventSource { Component = spec.Component, Host = host },
            ReportingComponent = spec.Component,
            ReportingInstance = host ?? "",
            FirstTimestamp = time,
            LastTimestamp = time,
            Count = 1,
        };
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["metadata.name"] = record.Metadata.Name,
            ["metadata.namespace"] = record.Metadata.NamespaceProperty,
            ["involvedObject.kind"] = PodKind,
            ["involvedObject.namespace"] = record.InvolvedObject.NamespaceProperty,
            ["involvedObject.name"] = record.InvolvedObject.Name,
            ["involvedObject.uid"] = record.InvolvedObject.Uid ?? "",
            ["involvedObject.apiVersion"] = "v1",
            ["involvedObject.resourceVersion"] = record.InvolvedObject.ResourceVersion ?? "",
            ["involvedObject.fieldPath"] = spec.FieldPath ?? "",
            ["reason"] = spec.Reason,
            ["reportingComponent"] = spec.Component,
            ["source"] = spec.Component,
            ["type"] = spec.Type,
        };
        var stored = new StoredObject(
            EventKind,
            record.Metadata.NamespaceProperty,
            record.Metadata.Name,
            version,
            new Dictionary<string, string>(StringComparer.Ordinal),
            fields,
            Encoding.UTF8.GetBytes(KubernetesJson.Serialize(record)));
        _events[stored.Key] = stored;
        _eventOrder.Enqueue(stored.Key);
        Publish(new Change("ADDED", stored, null));
        while (_eventOrder.Count > EventCapacity && _events.Remove(_eventOrder.Dequeue(), out var expired))
        {
            Publish(new Change("DELETED", expired with { ResourceVersion = ++_resourceVersion }, expired));
        }
    }
}
