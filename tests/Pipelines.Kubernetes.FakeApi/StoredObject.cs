namespace Pipelines.Kubernetes.FakeApi;

/// <summary>
/// One version of an object as stored: its JSON (serialized once, under the state lock) and what selectors match on.
/// Immutable, so watchers and lists share it without copies.
/// </summary>
/// <param name="Kind"><c>Pod</c> or <c>Event</c>.</param>
/// <param name="Namespace">The object's namespace.</param>
/// <param name="Name">The object's name.</param>
/// <param name="ResourceVersion">The global resource version of this version of the object.</param>
/// <param name="Labels">metadata.labels.</param>
/// <param name="Fields">The values field selectors may name (<c>metadata.name</c>, <c>status.phase</c>, ...).</param>
/// <param name="Json">The object, UTF-8 JSON.</param>
internal sealed record StoredObject(
    string Kind,
    string Namespace,
    string Name,
    long ResourceVersion,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Fields,
    byte[] Json)
{
    /// <summary>The storage key: namespace/name, also the order of lists.</summary>
    public string Key => Namespace + "/" + Name;
}

/// <summary>A change to one object, as kept in the history for watches that resume.</summary>
/// <param name="Type">ADDED, MODIFIED or DELETED.</param>
/// <param name="Object">The object after the change (for DELETED: its last state).</param>
/// <param name="Previous">The object before the change, to tell a watcher whose selector it stopped or began to match.</param>
internal sealed record Change(string Type, StoredObject Object, StoredObject? Previous)
{
    /// <summary>The change's resource version.</summary>
    public long ResourceVersion => Object.ResourceVersion;
}

/// <summary>One line of a watch stream: the event type and the object.</summary>
internal readonly record struct WatchItem(string Type, StoredObject Object);
