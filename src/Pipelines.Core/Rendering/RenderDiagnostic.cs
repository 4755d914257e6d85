namespace Pipelines.Rendering;

/// <summary>How serious a render diagnostic is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>The setting is not honoured on this target; the rest renders. An error under <c>--strict</c>.</summary>
    Warning,

    /// <summary>The task cannot render for this target.</summary>
    Error,
}

/// <summary>
/// Something a target cannot honour, said out loud instead of dropped silently: which DAG, task,
/// target and field, and what happens instead.
/// </summary>
public sealed record RenderDiagnostic(DiagnosticSeverity Severity, string DagId, string TaskId, string Target, string Field, string Message)
{
    /// <summary>One line: <c>warning: dag 'd', task 't', docker, field 'f': message</c>.</summary>
    public override string ToString() =>
        $"{(Severity == DiagnosticSeverity.Error ? "error" : "warning")}: dag '{DagId}', task '{TaskId}', {Target}, field '{Field}': {Message}";
}
