using System.Text;

namespace Pipelines.Tool.Starter;

/// <summary>A project name that is also a C# namespace: <c>my-pipelines</c> becomes <c>my_pipelines</c>, <c>2026</c> becomes <c>_2026</c>.</summary>
internal static class ProjectName
{
    // The packages a starter references: a project of the same name would reference itself.
    private static readonly string[] Taken = ["Pipelines", "Pipelines.Core", "Pipelines.Execution", "Pipelines.Processes", "Pipelines.Docker", "Pipelines.Kubernetes", "Pipelines.Hosting", "Pipelines.Testing", "Pipelines.Tool", "xunit", "xunit.v3"];

    private static readonly HashSet<string> Keywords =
    [
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while", "global",
    ];

    /// <summary>The project name for <paramref name="name"/>: each dot-separated part made a C# identifier.</summary>
    public static string From(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var parts = name.Split('.', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Identifier).ToList();
        return parts.Count == 0 ? "MyPipelines" : string.Join('.', parts);
    }

    /// <summary>Why <paramref name="projectName"/> cannot be a starter's name, or null.</summary>
    public static string? Problem(string projectName) =>
        Taken.Contains(projectName, StringComparer.OrdinalIgnoreCase)
            ? $"'{projectName}' is the name of a package the project references; choose another name."
            : null;

    private static string Identifier(string part)
    {
        var text = new StringBuilder(part.Length + 1);
        foreach (var c in part)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        if (char.IsAsciiDigit(text[0]) || Keywords.Contains(text.ToString()))
        {
            text.Insert(0, '_');
        }

        return text.ToString();
    }
}
