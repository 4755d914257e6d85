using System.Collections.Concurrent;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>
/// Validates created pods against the Kubernetes 1.32 strict Pod schema (<c>pod-v1.json</c>, draft-04, unknown fields
/// rejected). The schema is read once per process and folder: reading it takes a while.
/// </summary>
internal sealed class PodSchemaValidator
{
    /// <summary>The schema's file name.</summary>
    public const string FileName = "pod-v1.json";

    private static readonly ConcurrentDictionary<string, Lazy<Task<JsonSchema>>> Schemas = new(StringComparer.Ordinal);

    private readonly Lazy<Task<JsonSchema>> _schema;

    private PodSchemaValidator(string path)
    {
        Path = path;
        _schema = Schemas.GetOrAdd(path, p => new Lazy<Task<JsonSchema>>(() => Task.Run(() => JsonSchema.FromFileAsync(p))));
    }

    /// <summary>The schema file.</summary>
    public string Path { get; }

    /// <summary>
    /// The validator for the configured folder: <paramref name="directory"/>; when null, <c>PIPELINES_SCHEMA_DIR</c>, else
    /// <c>../shared/kubernetes-schema/</c> beside the folder with <c>Pipelines.sln</c>. Null when the file is absent or
    /// <paramref name="directory"/> is empty. Starts reading the schema in the background.
    /// </summary>
    public static PodSchemaValidator? Locate(string? directory)
    {
        var folder = directory ?? Environment.GetEnvironmentVariable("PIPELINES_SCHEMA_DIR") switch
        {
            { Length: > 0 } variable => variable,
            _ => DefaultFolder(),
        };
        if (string.IsNullOrEmpty(folder))
        {
            return null;
        }

        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, FileName));
        if (!File.Exists(path))
        {
            return null;
        }

        var validator = new PodSchemaValidator(path);
        _ = validator._schema.Value;
        return validator;
    }

    /// <summary>Every way <paramref name="json"/> (the body as received) breaks the schema, as Invalid causes; empty when valid.</summary>
    public async Task<IReadOnlyList<StatusCause>> ValidateAsync(string json)
    {
        var schema = await _schema.Value.ConfigureAwait(false);
        return [.. schema.Validate(json).SelectMany(Flatten).Select(Cause)];
    }

    private static IEnumerable<ValidationError> Flatten(ValidationError error) =>
        error is ChildSchemaValidationError child && child.Errors.Count > 0
            ? child.Errors.Values.SelectMany(e => e).SelectMany(Flatten).DefaultIfEmpty(error)
            : [error];

    private static StatusCause Cause(ValidationError error)
    {
        var field = (error.Path ?? "#").TrimStart('#', '/').Replace('/', '.');
        var reason = error.Kind switch
        {
            ValidationErrorKind.NoAdditionalPropertiesAllowed => "FieldValueNotSupported",
            ValidationErrorKind.PropertyRequired => "FieldValueRequired",
            _ => "FieldValueInvalid",
        };
        var text = error.Kind == ValidationErrorKind.NoAdditionalPropertiesAllowed
            ? $"unknown field \"{field}\""
            : $"{(field.Length == 0 ? "<root>" : field)}: {error.Kind}";
        return new StatusCause(reason, text, field);
    }

    private static string? DefaultFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Pipelines.sln")))
            {
                return System.IO.Path.Combine(dir.FullName, "..", "shared", "kubernetes-schema");
            }
        }

        return null;
    }
}
