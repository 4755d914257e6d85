using System.Text;
using System.Text.Json;
using Pipelines.Secrets;

namespace Pipelines.Attempts;

/// <summary>
/// Output parsing: what a task writes to <c>$PIPELINES_OUTPUT</c> must be a JSON object of at most
/// <see cref="AttemptContract.MaxOutputBytes"/> UTF-8 bytes that holds no secret. Outputs are stored and passed to downstream
/// templates exactly as written — never masked, because masking could change the data (secret <c>100</c>
/// inside <c>{"count": 1000}</c>) — so an output that holds a secret fails its task instead.
/// </summary>
public static class TaskOutputs
{
    /// <summary>
    /// Checks an attempt's output. Null when it is acceptable (<paramref name="element"/> is then the object,
    /// or null when the task wrote nothing); otherwise why it is not, naming a secret only by its source.
    /// </summary>
    /// <param name="output">The text the task wrote, or null.</param>
    /// <param name="masker">The run's secrets, or null.</param>
    /// <param name="element">The parsed object.</param>
    public static string? Check(string? output, SecretMasker? masker, out JsonElement? element)
    {
        element = null;
        if (string.IsNullOrWhiteSpace(output))
        {
            return null;
        }

        var bytes = Encoding.UTF8.GetByteCount(output);
        if (bytes > AttemptContract.MaxOutputBytes)
        {
            return AttemptContract.OutputTooLarge(bytes);
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(output);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            // The parser's message quotes no text of the output, only where it stopped.
            return $"the output is not valid JSON ({ex.Message})";
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return $"the output is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object; write {{\"name\": value, ...}} to $PIPELINES_OUTPUT";
        }

        if (masker is not null && FindSecret(root, "$", masker) is var (path, source))
        {
            return $"the output holds the value of {source} at {path}; outputs are stored and passed to downstream tasks in clear, " +
                "so a secret may not be one — give the downstream task the secret itself (SecretEnv)";
        }

        element = root;
        return null;
    }

    /// <summary>A recorded output parsed again on resume; null when it is not a JSON object.</summary>
    public static JsonElement? TryParseRecorded(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            using var document = JsonDocument.Parse(output);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // A string or a member name that contains a secret (in any form the masker knows), or a number or
    // boolean that is one, exactly: 1000 is not secret 100.
    private static (string Path, string Source)? FindSecret(JsonElement element, string path, SecretMasker masker)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var at = $"{path}.{property.Name}";
                    if (masker.FindIn(property.Name) is { } source)
                    {
                        return ($"{path} (a member name)", source);
                    }

                    if (FindSecret(property.Value, at, masker) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindSecret(item, $"{path}[{index++}]", masker) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.String:
                return masker.FindIn(element.GetString()!) is { } inText ? (path, inText) : null;
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                return masker.SourceOfValue(element.GetRawText()) is { } exact ? (path, exact) : null;
            default:
                return null;
        }
    }
}
