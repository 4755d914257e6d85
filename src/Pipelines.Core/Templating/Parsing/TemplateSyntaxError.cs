namespace Pipelines.Templating.Parsing;

/// <summary>An expression that cannot be rendered, found when the text is parsed.</summary>
/// <param name="Expression">
/// The expression text between <c>&lt;&lt;</c> and <c>&gt;&gt;</c> without surrounding whitespace; for an
/// unterminated <c>&lt;&lt;</c>, the rest of the text after it.
/// </param>
/// <param name="Message">What is wrong, written for the pipeline author.</param>
public sealed record TemplateSyntaxError(string Expression, string Message);
