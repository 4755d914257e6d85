using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipelines.Rendering;

/// <summary>
/// Writes JSON as stable, readable YAML: keys sorted (ordinal), strings double-quoted with JSON
/// escapes (valid YAML), multi-line strings as literal blocks, no timestamps or anchors. The same
/// input always gives the same bytes, so rendered specs and snapshots diff cleanly in review.
/// </summary>
public static class CanonicalYaml
{
    /// <summary>Writes one YAML document for <paramref name="node"/>.</summary>
    public static string Write(JsonNode? node)
    {
        var text = new StringBuilder();
        WriteValue(text, node, 0, inSequence: false, afterKey: false);
        if (text.Length == 0 || text[^1] != '\n')
        {
            text.Append('\n');
        }

        return text.ToString();
    }

    private static void WriteValue(StringBuilder text, JsonNode? node, int indent, bool inSequence, bool afterKey)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count == 0:
                text.Append(afterKey ? " {}\n" : "{}\n");
                break;
            case JsonObject obj:
                if (afterKey)
                {
                    text.Append('\n');
                }

                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!(inSequence && first))
                    {
                        text.Append(' ', indent);
                    }

                    first = false;
                    text.Append(Key(key)).Append(':');
                    WriteValue(text, value, indent + 2, inSequence: false, afterKey: true);
                }

                break;
            case JsonArray array when array.Count == 0:
                text.Append(afterKey ? " []\n" : "[]\n");
                break;
            case JsonArray array:
                if (afterKey)
                {
                    text.Append('\n');
                }

                foreach (var item in array)
                {
                    text.Append(' ', indent).Append("- ");
                    WriteValue(text, item, indent + 2, inSequence: true, afterKey: false);
                }

                break;
            default:
                if (afterKey)
                {
                    text.Append(' ');
                }

                text.Append(Scalar(node, indent)).Append('\n');
                break;
        }
    }

    private static string Scalar(JsonNode? node, int indent)
    {
        if (node is null)
        {
            return "null";
        }

        switch (node.GetValueKind())
        {
            case JsonValueKind.String:
                var value = node.GetValue<string>();
                return IsBlockable(value) ? Block(value, indent) : JsonSerializer.Serialize(value, Options);
            case JsonValueKind.True:
                return "true";
            case JsonValueKind.False:
                return "false";
            case JsonValueKind.Number:
                return node.ToJsonString();
            default:
                return "null";
        }
    }

    // A multi-line string reads best as a literal block, when it round-trips exactly as one.
    private static bool IsBlockable(string value) =>
        value.Contains('\n', StringComparison.Ordinal)
        && !value.StartsWith(' ')
        && !value.StartsWith('\n')
        && value.Split('\n').All(line => !line.EndsWith(' ') && !line.EndsWith('\t') && !line.Contains('\r', StringComparison.Ordinal))
        && value.All(c => c == '\n' || !char.IsControl(c));

    private static string Block(string value, int indent)
    {
        var keep = value.EndsWith('\n') ? (value.EndsWith("\n\n", StringComparison.Ordinal) ? "+" : string.Empty) : "-";
        var body = value.EndsWith('\n') ? value[..^1] : value;
        var pad = new string(' ', indent);
        var lines = body.Split('\n').Select(line => line.Length == 0 ? string.Empty : pad + line);
        return $"|{keep}\n{string.Join('\n', lines)}";
    }

    private static string Key(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/') && !char.IsAsciiDigit(key[0]) && key[0] != '-'
            && key is not ("true" or "false" or "null" or "yes" or "no" or "on" or "off" or "y" or "n")
            ? key
            : JsonSerializer.Serialize(key, Options);

    private static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Joins documents into one multi-document YAML stream.</summary>
    public static string Join(IEnumerable<string> documents) =>
        string.Join("---\n", documents);

}
