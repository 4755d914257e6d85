using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.References;

namespace Pipelines.Kubernetes.Tests.Rendering;

/// <summary>
/// The official Kubernetes 1.32 Pod schema (strict: unknown fields are rejected), read from
/// <c>../shared/kubernetes-schema/</c> beside the repository — never copied into it.
/// <c>PIPELINES_SCHEMA_DIR</c> overrides the folder. Where it is absent the test skips with the
/// reason, except under <c>CI=true</c>, where it fails.
/// </summary>
internal static class PodSchema
{
    public const string FileName = "pod-v1.json";

    private static readonly Lazy<Task<JsonSchema>> Schema = new(() => LoadAsync(Locate(Environment.GetEnvironmentVariable, AppContext.BaseDirectory).Directory!));

    /// <summary>Where the schema folder is, or why it is not there.</summary>
    public static (string? Directory, string Reason) Locate(Func<string, string?> getVariable, string baseDirectory)
    {
        var overridden = getVariable("PIPELINES_SCHEMA_DIR");
        string folder;
        if (!string.IsNullOrEmpty(overridden))
        {
            folder = Path.GetFullPath(overridden);
        }
        else
        {
            var root = new DirectoryInfo(baseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Pipelines.sln")))
            {
                root = root.Parent;
            }

            if (root is null)
            {
                return (null, $"no Pipelines.sln above {baseDirectory}, so no ../shared/kubernetes-schema to read (set PIPELINES_SCHEMA_DIR)");
            }

            folder = Path.GetFullPath(Path.Combine(root.FullName, "..", "shared", "kubernetes-schema"));
        }

        return File.Exists(Path.Combine(folder, FileName))
            ? (folder, "")
            : (null, $"the Kubernetes Pod schema {Path.Combine(folder, FileName)} is absent (it lives beside the repository, not in it; set PIPELINES_SCHEMA_DIR)");
    }

    /// <summary>What a schema test does here: run (null), or skip or fail with the reason.</summary>
    public static (bool Fail, string Reason)? WhenAbsent(Func<string, string?> getVariable, string baseDirectory)
    {
        var (directory, reason) = Locate(getVariable, baseDirectory);
        if (directory is not null)
        {
            return null;
        }

        // CI must prove the pods valid: a missing schema there is a broken setup, not a skip.
        return string.Equals(getVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? (true, $"CI=true: the schema check must run, but {reason}")
            : (false, reason);
    }

    /// <summary>Skips the test when the schema is absent, or fails it under <c>CI=true</c>.</summary>
    public static void Require()
    {
        if (WhenAbsent(Environment.GetEnvironmentVariable, AppContext.BaseDirectory) is { } absent)
        {
            if (absent.Fail)
            {
                Assert.Fail(absent.Reason);
            }

            Assert.Skip(absent.Reason);
        }
    }

    /// <summary>Validates <paramref name="pod"/>; returns every error, one per line, or an empty list.</summary>
    public static async Task<IReadOnlyList<string>> ValidateAsync(JsonObject pod)
    {
        Require();
        var schema = await Schema.Value;
        return [.. schema.Validate(pod.ToJsonString()).Select(e => e.ToString())];
    }

    private static async Task<JsonSchema> LoadAsync(string directory)
    {
        var path = Path.Combine(directory, FileName);
        var schema = await JsonSchema.FromFileAsync(path);
        var unresolved = UnresolvedReferences(JsonNode.Parse(await File.ReadAllTextAsync(path))!, schema);
        return unresolved.Count == 0
            ? schema
            : throw new InvalidOperationException($"{path}: $ref(s) that do not resolve: {string.Join(", ", unresolved)}");
    }

    // Every "$ref" in the file must name a schema NJsonSchema resolved (a silently unresolved
    // reference would accept anything there).
    private static List<string> UnresolvedReferences(JsonNode document, JsonSchema schema)
    {
        var references = new List<string>();
        Collect(document, references);
        var resolved = new HashSet<JsonSchema>();
        Walk(schema, resolved);
        var unresolved = references.Where(r => !r.StartsWith("#/", StringComparison.Ordinal) || Pointer(document, r) is null).ToList();
        if (resolved.Any(s => ((IJsonReferenceBase)s).ReferencePath is not null && s.Reference is null))
        {
            unresolved.Add("(a reference NJsonSchema could not resolve)");
        }

        return unresolved;
    }

    private static void Collect(JsonNode? node, List<string> references)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref" && value is JsonValue reference)
                    {
                        references.Add(reference.ToString());
                    }
                    else
                    {
                        Collect(value, references);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, references);
                }

                break;
        }
    }

    private static JsonNode? Pointer(JsonNode document, string reference)
    {
        JsonNode? node = document;
        foreach (var part in reference[2..].Split('/'))
        {
            node = node is JsonObject obj ? obj[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)] : null;
        }

        return node;
    }

    private static void Walk(JsonSchema schema, HashSet<JsonSchema> seen)
    {
        if (!seen.Add(schema))
        {
            return;
        }

        foreach (var child in schema.Properties.Values.Cast<JsonSchema>()
            .Concat(schema.Definitions.Values)
            .Concat(schema.AllOf).Concat(schema.AnyOf).Concat(schema.OneOf)
            .Concat(schema.Item is null ? [] : [schema.Item])
            .Concat(schema.AdditionalPropertiesSchema is null ? [] : [schema.AdditionalPropertiesSchema]))
        {
            Walk(child, seen);
        }
    }
}
