using Scriban;
using Scriban.Runtime;

namespace Pipelines.Templating.Evaluation;

/// <summary>
/// Scriban's builtin objects (<c>string</c>, <c>math</c>, <c>date</c>, ...), built once and shared read-only by
/// every render context: building them per context costs more than the rest of a session.
/// </summary>
internal static class BuiltinObjects
{
    // include needs a template loader, which templates of task fields never have.
    private static readonly string[] Removed = ["include", "include_join"];

    public static ScriptObject Shared { get; } = Create();

    private static ScriptObject Create()
    {
        var builtins = new TemplateContext().BuiltinObject;
        foreach (var name in Removed)
        {
            builtins.Remove(name);
        }

        builtins.IsReadOnly = true;
        return builtins;
    }

    /// <summary>The builtin name of a builtin object (<c>"string"</c> for the string functions), for messages.</summary>
    public static string? NameOf(object target)
    {
        foreach (var entry in Shared)
        {
            if (ReferenceEquals(entry.Value, target))
            {
                return entry.Key;
            }
        }

        return null;
    }
}
