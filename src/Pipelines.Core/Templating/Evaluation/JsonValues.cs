using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace Pipelines.Templating.Evaluation;

/// <summary>Turns JSON output values into what Scriban reads: string, long, double, bool, null, object, array.</summary>
internal static class JsonValues
{
    /// <summary>Converts <paramref name="element"/>, found as <paramref name="member"/> of <paramref name="parentPath"/>.</summary>
    public static object? ToScript(JsonElement element, string parentPath, string member) =>
        IsContainer(element) ? Container(element, Child(parentPath, member)) : Scalar(element);

    /// <summary>Converts item <paramref name="index"/> of the array at <paramref name="arrayPath"/>.</summary>
    public static object? ToScriptItem(JsonElement element, string arrayPath, int index) =>
        IsContainer(element) ? Container(element, $"{arrayPath}[{index.ToString(CultureInfo.InvariantCulture)}]") : Scalar(element);

    /// <summary><c>parent.member</c>, or <c>parent["member"]</c> when the member is not an identifier.</summary>
    public static string Child(string parentPath, string member) =>
        IsIdentifier(member) ? $"{parentPath}.{member}" : $"{parentPath}[\"{member}\"]";

    // Paths are only built for objects and arrays: leaf reads, the common case, allocate nothing extra.
    private static bool IsContainer(JsonElement element) => element.ValueKind is JsonValueKind.Object or JsonValueKind.Array;

    private static object Container(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Object ? new JsonObjectView(element, path) : new JsonArrayValue(element, path);

    private static object? Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => Number(element),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    // Integers stay exact: long when they fit, else BigInteger (a double would turn 2^53 + 1 into 2^53).
    // Other numbers are doubles, as JSON means them.
    private static object Number(JsonElement element)
    {
        if (element.TryGetInt64(out var integer))
        {
            return integer;
        }

        var raw = element.GetRawText();
        return raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0
            ? BigInteger.Parse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
            : element.GetDouble();
    }

    private static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
