using System.Globalization;
using System.Text.Json.Nodes;

namespace Pipelines.Docker.Tests.Rendering;

/// <summary>Reads <c>create.HostConfig.Mounts[0]</c>-style paths of a rendered document.</summary>
internal static class JsonPath
{
    public static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            var name = part;
            var index = -1;
            if (part.EndsWith(']'))
            {
                var open = part.IndexOf('[', StringComparison.Ordinal);
                index = int.Parse(part[(open + 1)..^1], CultureInfo.InvariantCulture);
                name = part[..open];
            }

            node = node?.AsObject()[name];
            if (index >= 0)
            {
                node = node?.AsArray()[index];
            }
        }

        return node;
    }

    /// <summary>Asserts the node at <paramref name="path"/> equals <paramref name="expectedJson"/>, ignoring key order.</summary>
    public static void Equal(string expectedJson, JsonNode? root, string path)
    {
        var actual = At(root, path);
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(expectedJson), actual),
            $"{path}: expected {expectedJson}, got {actual?.ToJsonString() ?? "(absent)"}");
    }
}
