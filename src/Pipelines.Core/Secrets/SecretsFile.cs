using System.Text.Json;
using Pipelines.Environments;

namespace Pipelines.Secrets;

/// <summary>Reads a JSON secrets file: <c>{ "secret-name": { "KEY": "value" } }</c>. Errors name places, never values.</summary>
internal static class SecretsFile
{
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The secrets file '{path}' does not exist.", path);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            // JsonException's message can quote the text around the error, which may be a value.
            throw new InvalidDataException($"The secrets file '{path}' is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"The secrets file '{path}' must hold an object of secrets: {{ \"secret-name\": {{ \"KEY\": \"value\" }} }}.");
            }

            // Names only: a key's name is not secret, its values are.
            if (JsonDuplicateKeys.Find(document.RootElement) is (var at, var repeated))
            {
                throw new InvalidDataException($"The secrets file '{path}': {at}.{repeated} is set twice (key '{repeated}' of {at}); keep one — JSON readers silently use the last.");
            }

            var secrets = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
            foreach (var secret in document.RootElement.EnumerateObject())
            {
                if (secret.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidDataException($"The secrets file '{path}': secret '{secret.Name}' must be an object of key → value.");
                }

                var keys = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var key in secret.Value.EnumerateObject())
                {
                    keys[key.Name] = key.Value.ValueKind switch
                    {
                        JsonValueKind.String => key.Value.GetString()!,
                        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => key.Value.GetRawText(),
                        _ => throw new InvalidDataException($"The secrets file '{path}': key '{key.Name}' of secret '{secret.Name}' must be a string."),
                    };
                }

                secrets[secret.Name] = keys;
            }

            return secrets;
        }
    }
}
