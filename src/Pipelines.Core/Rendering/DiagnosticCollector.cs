namespace Pipelines.Rendering;

/// <summary>
/// Collects what one render of one task says, in the order the settings are mapped: each diagnostic names the DAG, the
/// task, the target and the field. Every <see cref="ISpecRenderer"/> collects with it.
/// </summary>
/// <param name="dagId">The DAG of the task.</param>
/// <param name="taskId">The task.</param>
/// <param name="target">The target the render is for (<c>kubernetes</c>, <c>docker</c>).</param>
public sealed class DiagnosticCollector(string dagId, string taskId, string target)
{
    private readonly ImmutableArray<RenderDiagnostic>.Builder _items = ImmutableArray.CreateBuilder<RenderDiagnostic>();

    /// <summary>A collector whose diagnostics nobody reads, for a value already reported once.</summary>
    public static DiagnosticCollector Discard => new(string.Empty, string.Empty, string.Empty);

    /// <summary>True once an error was collected: the target would refuse the spec.</summary>
    public bool HasErrors { get; private set; }

    /// <summary>A setting the target cannot honour as written; the spec is still usable.</summary>
    public void Warning(string field, string message) => Add(DiagnosticSeverity.Warning, field, message);

    /// <summary>A setting the target would refuse.</summary>
    public void Error(string field, string message) => Add(DiagnosticSeverity.Error, field, message);

    /// <summary>A diagnostic of either severity.</summary>
    public void Add(DiagnosticSeverity severity, string field, string message)
    {
        HasErrors |= severity == DiagnosticSeverity.Error;
        _items.Add(new RenderDiagnostic(severity, dagId, taskId, target, field, message));
    }

    /// <summary>What was collected, in order.</summary>
    public ImmutableArray<RenderDiagnostic> ToImmutable() => _items.ToImmutable();
}
