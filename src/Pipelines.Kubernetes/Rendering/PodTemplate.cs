using System.Text.Json.Nodes;
using Pipelines.Rendering;

namespace Pipelines.Kubernetes.Rendering;

/// <summary>
/// A pod template file as read once: the pod as KubernetesClient's JSON (null when the file is not
/// a usable Pod), and the problems found in it. Shared between renders, so never handed out mutable.
/// </summary>
internal sealed class PodTemplate(string fullPath, JsonObject? pod, ImmutableArray<(DiagnosticSeverity Severity, string Message)> problems)
{
    private readonly JsonObject? _pod = pod;

    /// <summary>The file's full path.</summary>
    public string FullPath { get; } = fullPath;

    /// <summary>True when the template can be merged under a rendered pod.</summary>
    public bool IsUsable => _pod is not null;

    /// <summary>Problems in the file, each message naming the file and the line.</summary>
    public ImmutableArray<(DiagnosticSeverity Severity, string Message)> Problems { get; } = problems;

    /// <summary>A private copy of the pod's JSON, or null when the template is not usable.</summary>
    public JsonObject? ClonePod() => _pod?.DeepClone().AsObject();
}
