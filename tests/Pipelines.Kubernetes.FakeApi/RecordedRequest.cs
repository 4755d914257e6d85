namespace Pipelines.Kubernetes.FakeApi;

/// <summary>One request the server answered.</summary>
/// <param name="Sequence">The order in which the requests were recorded, from 1.</param>
/// <param name="Verb">
/// The verb as Kubernetes authorization names it: get, list, watch, create, update, patch, delete, deletecollection.
/// </param>
/// <param name="Resource">"pods", "pods/log", "events", "namespaces", or a non-resource path such as "/version".</param>
/// <param name="Namespace">The namespace of the path, if any.</param>
/// <param name="Name">The object's name in the path, if any.</param>
/// <param name="Query">The raw query string, with its leading <c>?</c> (empty when none).</param>
/// <param name="StatusCode">The status code answered (for a watch or follow stream: when it opened).</param>
/// <param name="Token">The bearer token the request carried, or null.</param>
/// <param name="Time">When it was recorded, on the server's clock.</param>
public sealed record RecordedRequest(
    long Sequence,
    string Verb,
    string Resource,
    string? Namespace,
    string? Name,
    string Query,
    int StatusCode,
    string? Token,
    DateTimeOffset Time)
{
    /// <summary>For a pod delete: the grace period the deletion used (0 when the pod went at once).</summary>
    public long? GracePeriodSeconds { get; init; }
}
