using System.Text.Json.Nodes;
using Pipelines.Rendering;

namespace Pipelines.Core.Tests.Rendering;

public sealed class CanonicalYamlTests
{
    [Fact]
    public void Keys_are_sorted_and_strings_quoted_at_every_depth()
    {
        var json = JsonNode.Parse("""{"spec": {"z": 1, "a": [ {"name": "base", "args": ["--date", "2026-11-25"]}, "x" ]}, "kind": "Pod", "ok": true, "none": null}""");

        Assert.Equal(
            """
            kind: "Pod"
            none: null
            ok: true
            spec:
              a:
                - args:
                    - "--date"
                    - "2026-11-25"
                  name: "base"
                - "x"
              z: 1

            """.ReplaceLineEndings("\n"),
            CanonicalYaml.Write(json));
    }

    [Fact]
    public void Empty_objects_and_arrays_are_written_inline()
    {
        Assert.Equal("a: {}\nb: []\n", CanonicalYaml.Write(JsonNode.Parse("""{"b": [], "a": {}}""")));
    }

    [Fact]
    public void Multi_line_strings_are_literal_blocks()
    {
        var json = new JsonObject { ["command"] = new JsonArray("sh", "-c", "set -e\necho \"hi\"\n") };

        Assert.Equal("command:\n  - \"sh\"\n  - \"-c\"\n  - |\n    set -e\n    echo \"hi\"\n", CanonicalYaml.Write(json));
    }

    [Theory]
    [InlineData("trailing space \nx")]
    [InlineData(" leading\nx")]
    [InlineData("tab\tand\u0001control\nx")]
    public void Strings_a_block_cannot_hold_exactly_are_quoted(string value)
    {
        var yaml = CanonicalYaml.Write(new JsonObject { ["v"] = value });

        Assert.StartsWith("v: \"", yaml);
        Assert.DoesNotContain("\n ", yaml);
    }

    [Theory]
    [InlineData("prometheus.io/scrape", "prometheus.io/scrape")]
    [InlineData("nvidia.com/gpu", "nvidia.com/gpu")]
    [InlineData("yes", "\"yes\"")]
    [InlineData("1abc", "\"1abc\"")]
    [InlineData("a b", "\"a b\"")]
    [InlineData("", "\"\"")]
    public void Keys_are_plain_only_when_yaml_reads_them_back_as_the_same_string(string key, string written)
    {
        Assert.Equal($"{written}: 1\n", CanonicalYaml.Write(new JsonObject { [key] = 1 }));
    }

    [Fact]
    public void The_same_input_gives_the_same_bytes_whatever_the_key_order()
    {
        var a = JsonNode.Parse("""{"b": {"y": 1, "x": [1, 2]}, "a": "v"}""");
        var b = JsonNode.Parse("""{"a": "v", "b": {"x": [1, 2], "y": 1}}""");

        Assert.Equal(CanonicalYaml.Write(a), CanonicalYaml.Write(b));
    }
}
