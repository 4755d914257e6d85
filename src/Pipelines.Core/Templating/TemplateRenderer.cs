namespace Pipelines.Templating;

/// <summary>
/// Renders task fields. Thread-safe: it holds the parse caches (each distinct text and expression is parsed
/// once); per-attempt state lives in the <see cref="TemplateSession"/> that <see cref="Begin"/> returns.
/// </summary>
public sealed class TemplateRenderer
{
    /// <summary>The process-wide renderer, also used by <see cref="TemplateText.Analyze"/>.</summary>
    public static TemplateRenderer Shared { get; } = new();

    internal TemplateCache Cache { get; } = new();

    /// <summary>Starts rendering the fields of one task attempt; builds the expression context once.</summary>
    public TemplateSession Begin(TemplateScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return new TemplateSession(Cache, scope);
    }

    /// <summary>Analyses a text with this renderer's cache; see <see cref="TemplateText.Analyze"/>.</summary>
    public TemplateAnalysis Analyze(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TemplateScanner.MayContainTemplate(text) ? Cache.GetTemplate(text).Analysis : TemplateAnalysis.None;
    }
}
