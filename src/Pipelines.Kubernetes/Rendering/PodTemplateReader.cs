using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Pipelines.Rendering;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Pipelines.Kubernetes.Rendering;

/// <summary>
/// Reads pod template files and caches each by full path (re-read when the file changes). A
/// template must be one YAML document holding a <c>v1</c> <c>Pod</c> whose every field is a Pod
/// field: KubernetesClient reads YAML leniently and would drop a misspelt or invented field
/// (such as <c>spec.sidecars</c>) without a word, so the file's tree is compared with the model
/// read from it and every field the model lost is an error naming the file and line.
/// </summary>
internal sealed class PodTemplateReader
{
    private readonly ConcurrentDictionary<string, (DateTime Stamp, long Length, PodTemplate Template)> _cache = new(StringComparer.Ordinal);

    public PodTemplate Read(string fullPath, string shownPath)
    {
        var file = new FileInfo(fullPath);
        if (!file.Exists)
        {
            return Failed(fullPath, $"pod template '{shownPath}' does not exist (looked for {fullPath})");
        }

        if (_cache.TryGetValue(fullPath, out var cached) && cached.Stamp == file.LastWriteTimeUtc && cached.Length == file.Length)
        {
            return cached.Template;
        }

        var template = Parse(fullPath, shownPath, File.ReadAllText(fullPath));
        _cache[fullPath] = (file.LastWriteTimeUtc, file.Length, template);
        return template;
    }

    internal static PodTemplate Parse(string fullPath, string shownPath, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            return Failed(fullPath, $"{At(shownPath, ex.Start)}: not valid YAML: {ex.Message}");
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return Failed(fullPath, $"{shownPath}: a pod template holds exactly one YAML document, a Pod (found {stream.Documents.Count} document(s))");
        }

        var problems = ImmutableArray.CreateBuilder<(DiagnosticSeverity, string)>();
        var marks = new Dictionary<string, Mark>(StringComparer.Ordinal);
        var tree = ToJson(root, "", marks)!.AsObject();
        var apiVersion = (tree["apiVersion"] as JsonValue)?.ToString();
        var kind = (tree["kind"] as JsonValue)?.ToString();
        if (kind != "Pod" || apiVersion != "v1")
        {
            var field = kind != "Pod" ? "kind" : "apiVersion";
            var mark = marks.GetValueOrDefault(field, root.Start);
            return Failed(fullPath, $"{At(shownPath, mark)}: a pod template is 'apiVersion: v1' and 'kind: Pod', not '{apiVersion ?? "(none)"}' / '{kind ?? "(none)"}'");
        }

        V1Pod pod;
        try
        {
            pod = KubernetesYaml.Deserialize<V1Pod>(text);
        }
        catch (YamlException ex)
        {
            var reason = ex.InnerException?.Message ?? ex.Message;
            return Failed(fullPath, $"{At(shownPath, ex.Start)}: not a valid Pod: {reason}");
        }

        var model = JsonNode.Parse(KubernetesJson.Serialize(pod))!.AsObject();
        foreach (var (path, line) in LostFields(tree, model, "", marks))
        {
            problems.Add((DiagnosticSeverity.Error, $"{shownPath}: line {line}: '{path}' is not a field of a Kubernetes Pod{Hint(path)}"));
        }

        return problems.Count > 0
            ? new PodTemplate(fullPath, null, problems.ToImmutable())
            : new PodTemplate(fullPath, model, []);
    }

    private static PodTemplate Failed(string fullPath, string message) =>
        new(fullPath, null, [(DiagnosticSeverity.Error, message)]);

    private static string At(string file, Mark mark) =>
        $"{file}: line {mark.Line.ToString(CultureInfo.InvariantCulture)}, column {mark.Column.ToString(CultureInfo.InvariantCulture)}";

    private static string Hint(string path) => path.EndsWith(".sidecars", StringComparison.Ordinal)
        ? " (native sidecars are initContainers with 'restartPolicy: Always')"
        : " (KubernetesClient would drop it without a word)";

    // Fields present with a value in the file but absent from the model read from it.
    private static IEnumerable<(string Path, long Line)> LostFields(JsonNode? file, JsonNode? model, string path, Dictionary<string, Mark> marks)
    {
        switch (file)
        {
            case JsonObject fileObject:
                var modelObject = model as JsonObject;
                foreach (var (key, value) in fileObject)
                {
                    var child = path.Length == 0 ? key : $"{path}.{key}";
                    if (value is null)
                    {
                        continue;
                    }

                    if (modelObject is null || !modelObject.TryGetPropertyValue(key, out var modelValue))
                    {
                        yield return (child, marks.TryGetValue(child, out var mark) ? mark.Line : 0);
                        continue;
                    }

                    foreach (var lost in LostFields(value, modelValue, child, marks))
                    {
                        yield return lost;
                    }
                }

                break;
            case JsonArray fileArray when model is JsonArray modelArray && modelArray.Count == fileArray.Count:
                for (var i = 0; i < fileArray.Count; i++)
                {
                    foreach (var lost in LostFields(fileArray[i], modelArray[i], $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", marks))
                    {
                        yield return lost;
                    }
                }

                break;
        }
    }

    // The file's own tree; scalars stay text (only keys and nesting are compared), null for YAML nulls.
    private static JsonNode? ToJson(YamlNode node, string path, Dictionary<string, Mark> marks)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    var key = (keyNode as YamlScalarNode)?.Value ?? keyNode.ToString();
                    var child = path.Length == 0 ? key : $"{path}.{key}";
                    marks[child] = keyNode.Start;
                    obj[key] = ToJson(valueNode, child, marks);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    array.Add(ToJson(sequence.Children[i], $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", marks));
                }

                return array;
            case YamlScalarNode scalar:
                return scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL"
                    ? null
                    : JsonValue.Create(scalar.Value ?? string.Empty);
            default:
                return null;
        }
    }
}
