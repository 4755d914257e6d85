using System.Text.Json.Nodes;

namespace Pipelines.Docker.Rendering;

/// <summary>
/// The rendered document of a <see cref="DockerContainerSpec"/>: the create request as the Engine
/// API spells it, plus what the runtime does around it (pull policy, volumes, secret references,
/// output path). Secrets appear as references only.
/// </summary>
internal static class SpecDocument
{
    public static JsonObject Write(DockerContainerSpec spec)
    {
        var document = new JsonObject { ["name"] = spec.Name };
        if (spec.PullPolicy is { } pull)
        {
            document["pullPolicy"] = pull.ToString();
        }

        document["create"] = CreateRequestJson.ToNode(spec.Create);
        document["volumes"] = Array(spec.Volumes, v =>
        {
            var volume = new JsonObject { ["name"] = v.Name };
            if (v.PerAttempt)
            {
                volume["perAttempt"] = true;
                volume["labels"] = new JsonObject(v.Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
            }

            return volume;
        });
        AddIfAny(document, "secretEnv", spec.SecretEnv, s => new JsonObject { ["name"] = s.Name, ["secret"] = s.Secret.Name, ["key"] = s.Secret.Key });
        AddIfAny(document, "secretEnvFrom", spec.SecretEnvFrom, s =>
        {
            var source = new JsonObject { ["secret"] = s.SecretName };
            if (s.Prefix is not null)
            {
                source["prefix"] = s.Prefix;
            }

            return source;
        });
        AddIfAny(document, "secretFiles", spec.SecretFiles, f =>
        {
            var files = new JsonObject { ["volume"] = f.Volume, ["path"] = f.MountPath, ["secret"] = f.SecretName };
            if (!f.Items.IsEmpty)
            {
                files["items"] = Array(f.Items, k => new JsonObject { ["key"] = k.Key, ["path"] = k.Path });
            }

            return files;
        });
        document["output"] = spec.OutputPath;
        return document;
    }

    private static void AddIfAny<T>(JsonObject document, string key, ImmutableArray<T> items, Func<T, JsonObject> write)
    {
        if (!items.IsEmpty)
        {
            document[key] = Array(items, write);
        }
    }

    private static JsonArray Array<T>(ImmutableArray<T> items, Func<T, JsonObject> write) => [.. items.Select(i => (JsonNode?)write(i))];
}
