using System.Text.Json.Nodes;

namespace Pipelines.Kubernetes.Rendering;

/// <summary>
/// Merges a rendered pod over a pod template, both as KubernetesClient JSON. The rendered pod wins:
/// <list type="bullet">
/// <item>Objects merge field by field, recursively (labels, annotations, nodeSelector, resources
/// requests and limits, security contexts, …); a scalar the rendered pod sets replaces the template's.</item>
/// <item>Lists with a merge key merge by it — template items first, in the template's order, each
/// replaced (or, for containers, merged) by the rendered item with the same key; then the rendered
/// items the template lacks, in their order: <c>containers</c> and <c>initContainers</c> by
/// <c>name</c> (merged field by field, recursively); <c>env</c> by <c>name</c>, <c>volumeMounts</c> by
/// <c>mountPath</c>, <c>ports</c> by <c>containerPort</c>+<c>protocol</c>, <c>volumes</c> and
/// <c>imagePullSecrets</c> by <c>name</c>, <c>tolerations</c> by <c>key</c>+<c>operator</c>+<c>value</c>+<c>effect</c>
/// (the rendered item replaces an equal one); <c>envFrom</c> by the whole item; <c>hostAliases</c> by
/// <c>ip</c>, their <c>hostnames</c> joined.</item>
/// <item>Any other list (command, args, capabilities, DNS name servers, …) that the rendered pod
/// sets replaces the template's.</item>
/// <item>The container named <c>base</c> is moved first in <c>containers</c>.</item>
/// </list>
/// </summary>
internal static class PodTemplateMerge
{
    private enum ItemMode
    {
        Merge,
        Replace,
        Union,
    }

    private sealed record ListRule(Func<JsonNode?, string> Key, ItemMode Mode);

    private static readonly ListRule ByName = new(n => Text(n, "name"), ItemMode.Replace);
    private static readonly ListRule ContainerByName = new(n => Text(n, "name"), ItemMode.Merge);
    private static readonly ListRule ByMountPath = new(n => Text(n, "mountPath"), ItemMode.Replace);
    private static readonly ListRule ByPort = new(n => $"{Text(n, "containerPort")}/{Text(n, "protocol", "TCP")}", ItemMode.Replace);
    private static readonly ListRule ByWholeItem = new(n => n?.ToJsonString() ?? "null", ItemMode.Replace);

    // Paths name the chain of fields, without list indices.
    private static readonly Dictionary<string, ListRule> Rules = new(StringComparer.Ordinal)
    {
        ["spec.containers"] = ContainerByName,
        ["spec.initContainers"] = ContainerByName,
        ["spec.containers.env"] = ByName,
        ["spec.initContainers.env"] = ByName,
        ["spec.containers.envFrom"] = ByWholeItem,
        ["spec.initContainers.envFrom"] = ByWholeItem,
        ["spec.containers.volumeMounts"] = ByMountPath,
        ["spec.initContainers.volumeMounts"] = ByMountPath,
        ["spec.containers.ports"] = ByPort,
        ["spec.initContainers.ports"] = ByPort,
        ["spec.volumes"] = ByName,
        ["spec.imagePullSecrets"] = ByName,
        ["spec.tolerations"] = new(n => $"{Text(n, "key")}|{Text(n, "operator")}|{Text(n, "value")}|{Text(n, "effect")}", ItemMode.Replace),
        ["spec.hostAliases"] = new(n => Text(n, "ip"), ItemMode.Merge),
        ["spec.hostAliases.hostnames"] = new(n => n?.ToJsonString() ?? "null", ItemMode.Union),
    };

    /// <summary>Merges <paramref name="rendered"/> into <paramref name="template"/> (which is changed and returned).</summary>
    public static JsonObject Merge(JsonObject template, JsonObject rendered)
    {
        MergeObject(template, rendered, "");
        if (template["spec"]?["containers"] is JsonArray containers)
        {
            var index = containers.Select((c, i) => (c, i)).FirstOrDefault(p => Text(p.c, "name") == KubernetesNames.BaseContainer).i;
            if (index > 0)
            {
                var baseContainer = containers[index];
                containers.RemoveAt(index);
                containers.Insert(0, baseContainer);
            }
        }

        return template;
    }

    private static void MergeObject(JsonObject target, JsonObject source, string path)
    {
        foreach (var (key, value) in source.ToList())
        {
            var child = path.Length == 0 ? key : $"{path}.{key}";
            var existing = target[key];
            source.Remove(key); // a node has one parent: detach it before it moves
            switch (existing, value)
            {
                case (JsonObject t, JsonObject s):
                    MergeObject(t, s, child);
                    break;
                case (JsonArray t, JsonArray s) when Rules.TryGetValue(child, out var rule):
                    target[key] = MergeList(t, s, rule, child);
                    break;
                default:
                    target[key] = value;
                    break;
            }
        }
    }

    private static JsonArray MergeList(JsonArray target, JsonArray source, ListRule rule, string path)
    {
        var merged = target.Select(n => n?.DeepClone()).ToList();
        var keys = merged.Select(rule.Key).ToList();
        foreach (var item in source)
        {
            var key = rule.Key(item);
            var at = keys.IndexOf(key);
            if (at < 0)
            {
                merged.Add(item?.DeepClone());
                keys.Add(key);
            }
            else if (rule.Mode == ItemMode.Merge && merged[at] is JsonObject t && item is JsonObject s)
            {
                MergeObject(t, s.DeepClone().AsObject(), path);
            }
            else if (rule.Mode != ItemMode.Union)
            {
                merged[at] = item?.DeepClone();
            }
        }

        if (rule.Mode == ItemMode.Union)
        {
            merged = [.. merged.OrderBy(n => n?.ToJsonString(), StringComparer.Ordinal)];
        }

        return [.. merged];
    }

    private static string Text(JsonNode? node, string name, string missing = "") =>
        node is JsonObject obj && obj[name] is JsonValue value ? value.ToString() : missing;
}
