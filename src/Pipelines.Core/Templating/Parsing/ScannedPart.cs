namespace Pipelines.Templating.Parsing;

/// <summary>One piece of a scanned text: literal text, an expression's source, or a scan error.</summary>
internal readonly record struct ScannedPart(ScannedPartKind Kind, string Text, string? ErrorMessage)
{
    public static ScannedPart Literal(string text) => new(ScannedPartKind.Literal, text, null);

    public static ScannedPart Expression(string source) => new(ScannedPartKind.Expression, source, null);

    public static ScannedPart Error(string source, string message) => new(ScannedPartKind.Error, source, message);
}

/// <summary>What a <see cref="ScannedPart"/> holds.</summary>
internal enum ScannedPartKind
{
    Literal,
    Expression,
    Error,
}
