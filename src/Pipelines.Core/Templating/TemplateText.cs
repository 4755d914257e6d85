using Pipelines.Templating.Parsing;

namespace Pipelines.Templating;

/// <summary>
/// The template syntax of task fields, and its analysis at definition time.
/// </summary>
/// <remarks>
/// <para>Any string field may contain <c>&lt;&lt; expr &gt;&gt;</c> where <c>expr</c> is one Scriban expression,
/// e.g. <c>&lt;&lt; ds &gt;&gt;</c>, <c>&lt;&lt; params.table &gt;&gt;</c>,
/// <c>&lt;&lt; tasks["extract-data"].output.rows &gt;&gt;</c>, <c>&lt;&lt; ds_add(ds, -1) &gt;&gt;</c>.
/// Scriban's own <c>{{ }}</c> is never active: <c>{{ x }}</c> passes through unchanged.</para>
/// <para>The closing <c>&gt;&gt;</c> is the first one outside a string literal (<c>"..."</c>, <c>'...'</c> with
/// backslash escapes, or verbatim <c>`...`</c>), so <c>&lt;&lt; "a&gt;&gt;b" &gt;&gt;</c> resolves to <c>a&gt;&gt;b</c>.</para>
/// <para>Escape: <c>\&lt;&lt;</c> writes a literal <c>&lt;&lt;</c> (shell heredocs and here-strings):
/// <c>cat \&lt;&lt;EOF &gt;&gt; out.txt</c> resolves to <c>cat &lt;&lt;EOF &gt;&gt; out.txt</c> and <c>\&lt;&lt;&lt;</c>
/// to <c>&lt;&lt;&lt;</c>. A backslash anywhere else is kept as is; for a backslash right before an
/// expression write <c>&lt;&lt; "\\" &gt;&gt;&lt;&lt; ds &gt;&gt;</c>. An unterminated <c>&lt;&lt;</c> is an error.</para>
/// <para>Strictness: an unknown name or member at any depth is an error, except in the left operand of
/// <c>??</c>, where it yields null: <c>&lt;&lt; var.version ?? "latest" &gt;&gt;</c>. An expression whose value is null
/// is an error unless the whole expression is <c>a ?? b</c> (then null resolves to empty).</para>
/// </remarks>
public static class TemplateText
{
    /// <summary>
    /// True when the text contains <c>&lt;&lt;</c> (an expression or the <c>\&lt;&lt;</c> escape), so resolving may
    /// change it. Cheap and allocation-free; false means the text resolves to itself.
    /// </summary>
    public static bool MayContainTemplate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TemplateScanner.MayContainTemplate(text);
    }

    /// <summary>
    /// The syntax errors and the names read by the expressions of <paramref name="text"/>. Cached per distinct
    /// text (the same text returns the same instance); a text without <c>&lt;&lt;</c> returns a shared empty analysis.
    /// </summary>
    public static TemplateAnalysis Analyze(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TemplateScanner.MayContainTemplate(text) ? TemplateEngine.Shared.Cache.GetTemplate(text).Analysis : TemplateAnalysis.None;
    }
}
