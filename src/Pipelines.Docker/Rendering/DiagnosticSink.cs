using Pipelines.Rendering;

namespace Pipelines.Docker.Rendering;

/// <summary>Collects the diagnostics of one render, in the order the settings are mapped.</summary>
internal sealed class DiagnosticSink(string dagId, string taskId, string target)
{
    /// <summary>A sink whose diagnostics nobody reads, for a value already reported once.</summary>
    public static DiagnosticSink Discard => new(string.Empty, string.Empty, string.Empty);

    private readonly ImmutableArray<RenderDiagnostic>.Builder _items = ImmutableArray.CreateBuilder<RenderDiagnostic>();

    public void Warn(string field, string message) =>
        _items.Add(new RenderDiagnostic(DiagnosticSeverity.Warning, dagId, taskId, target, field, message));

    public void Error(string field, string message) =>
        _items.Add(new RenderDiagnostic(DiagnosticSeverity.Error, dagId, taskId, target, field, message));

    public ImmutableArray<RenderDiagnostic> ToImmutable() => _items.ToImmutable();
}
