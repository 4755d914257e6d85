namespace Pipelines.Kubernetes.FakeApi;

/// <summary>How a <see cref="FakeKubernetesServer"/> is set up.</summary>
public sealed record FakeServerOptions
{
    /// <summary>
    /// The folder that holds <c>pod-v1.json</c> (the Kubernetes 1.32 strict Pod schema) to validate every created pod
    /// against. <see langword="null"/> (the default): the folder named by the <c>PIPELINES_SCHEMA_DIR</c> variable, else
    /// <c>../shared/kubernetes-schema/</c> beside the folder that holds <c>Pipelines.sln</c>. An empty string: no schema
    /// check. A folder without the file: no schema check either (see <see cref="FakeKubernetesServer.ValidatesSchema"/>).
    /// </summary>
    public string? SchemaDirectory { get; init; }

    /// <summary>
    /// When true, every request must carry <c>Authorization: Bearer &lt;token&gt;</c> with a token the server accepts
    /// (see <see cref="FakeKubernetesServer.CurrentToken"/>), or it gets 401. When false, any request is accepted.
    /// </summary>
    public bool RequireToken { get; init; }

    /// <summary>
    /// The clock of the scripted pods: <see cref="PodScript.Delay"/> waits on it, and timestamps (creation, container
    /// start and finish, log lines, events) are read from it. Transport timeouts (a watch's <c>timeoutSeconds</c>) use
    /// the system clock, so a test that advances a fake clock does not close its watches.
    /// </summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
