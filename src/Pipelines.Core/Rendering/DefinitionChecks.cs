using Pipelines.Templating;

namespace Pipelines.Rendering;

/// <summary>Helps a target check a task as defined, for <see cref="ISpecRenderer.CheckDefinition"/>.</summary>
public static class DefinitionChecks
{
    /// <summary>
    /// The errors among <paramref name="diagnostics"/> (of a render of <paramref name="task"/> as defined)
    /// whose field holds no template: the text of a template is not the value the target will see, so
    /// what the target says of it means nothing until it renders. Warnings are left to <c>render</c>.
    /// </summary>
    /// <param name="task">The task, its templates not rendered.</param>
    /// <param name="diagnostics">What the target's checks said of it.</param>
    public static ImmutableArray<RenderDiagnostic> LiteralErrors(ContainerTask task, IEnumerable<RenderDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var templated = new HashSet<string>(StringComparer.Ordinal);
        task.MapStrings((value, field) =>
        {
            if (TemplateText.MayContainTemplate(value))
            {
                templated.Add(field.ToString());
            }

            return value;
        });
        return [.. diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && !templated.Contains(d.Field))];
    }
}
