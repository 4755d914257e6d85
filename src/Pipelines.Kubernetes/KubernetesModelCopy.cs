using System.Text.Json.Nodes;
using k8s;

namespace Pipelines.Kubernetes;

/// <summary>
/// Copies and templates KubernetesClient models (which are mutable classes) through their JSON
/// form, so options hold private copies and every string inside them is templated.
/// </summary>
internal static class KubernetesModelCopy
{
    public static T Clone<T>(T value) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(value));

    public static T MapStrings<T>(T value, string field, StringFieldMapper map)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(value));
        var mapped = Walk(node, field, map);
        return KubernetesJson.Deserialize<T>(mapped?.ToJsonString() ?? "null");
    }

    private static JsonNode? Walk(JsonNode? node, string path, StringFieldMapper map)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    obj[name] = Walk(obj[name], $"{path}.{name}", map);
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var item = array[i];
                    array[i] = null;
                    array[i] = Walk(item, $"{path}[{i}]", map);
                }

                return array;
            case JsonValue value when value.TryGetValue<string>(out var text):
                return JsonValue.Create(map(text, new FieldPath(path)));
            default:
                return node;
        }
    }
}
