namespace Pipelines.Templating.Parsing;

/// <summary>A top-level name read by an expression, found at definition time before anything runs.</summary>
/// <param name="Expression">The expression text between the delimiters without surrounding whitespace.</param>
/// <param name="Root">The top-level name: <c>params</c>, <c>var</c>, <c>tasks</c>, <c>ds</c>, <c>ds_add</c>, <c>string</c>, ...</param>
/// <param name="Member">
/// The first member read directly on <paramref name="Root"/>: <c>params.table</c> gives <c>table</c>,
/// <c>tasks["extract-data"].output.rows</c> gives <c>extract-data</c>; null when there is none or the key is
/// not a constant (<c>params[x]</c>).
/// </param>
/// <param name="Guarded">
/// True when the read is in the left operand of <c>??</c>, where a missing value yields null instead of an error.
/// </param>
public sealed record TemplateReference(string Expression, string Root, string? Member, bool Guarded);
