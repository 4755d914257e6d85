using Pipelines.Templating.Evaluation;
using Pipelines.Templating.Parsing;

namespace Pipelines.Templating;

/// <summary>
/// Resolves the templates of task fields. Thread-safe: it holds the parse cache (each distinct text and
/// expression is parsed once, and analysed once for <see cref="TemplateText.Analyze"/>); per-attempt state lives
/// in the <see cref="TemplateSession"/> that <see cref="Begin"/> returns.
/// </summary>
public sealed class TemplateEngine
{
    /// <summary>The process-wide engine; <see cref="TemplateText.Analyze"/> reads its cache.</summary>
    public static TemplateEngine Shared { get; } = new();

    internal TemplateCache Cache { get; } = new();

    /// <summary>Starts resolving the fields of one task attempt; builds the expression context once.</summary>
    public TemplateSession Begin(TemplateScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return new TemplateSession(Cache, scope);
    }
}
