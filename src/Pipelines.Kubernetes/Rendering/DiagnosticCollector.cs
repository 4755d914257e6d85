using Pipelines.Rendering;

namespace Pipelines.Kubernetes.Rendering;

/// <summary>Collects the diagnostics of one attempt's pod, each naming DAG, task, target and field.</summary>
internal sealed class DiagnosticCollector(string dagId, string taskId)
{
    private readonly ImmutableArray<RenderDiagnostic>.Builder _items = ImmutableArray.CreateBuilder<RenderDiagnostic>();

    public bool HasErrors { get; private set; }

    public void Warning(string field, string message) =>
        _items.Add(new RenderDiagnostic(DiagnosticSeverity.Warning, dagId, taskId, PodRenderer.TargetName, field, message));

    public void Error(string field, string message)
    {
        HasErrors = true;
        _items.Add(new RenderDiagnostic(DiagnosticSeverity.Error, dagId, taskId, PodRenderer.TargetName, field, message));
    }

    public void Add(DiagnosticSeverity severity, string field, string message)
    {
        if (severity == DiagnosticSeverity.Error)
        {
            Error(field, message);
        }
        else
        {
            Warning(field, message);
        }
    }

    public ImmutableArray<RenderDiagnostic> ToImmutable() => _items.ToImmutable();
}
