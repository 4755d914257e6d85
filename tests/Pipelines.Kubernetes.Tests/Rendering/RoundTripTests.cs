using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Pipelines.Rendering;
using static Pipelines.Kubernetes.Tests.Rendering.Attempts;

namespace Pipelines.Kubernetes.Tests.Rendering;

/// <summary>The canonical YAML of a rendered pod reads back as the same pod.</summary>
public sealed class RoundTripTests
{
    [Fact]
    public void Canonical_yaml_parses_back_to_an_equal_pod()
    {
        var spec = Render(t => t
            .Command("sh", "-c", "echo 'multi\nline' && exit 0")
            .Env("EMPTY", "").Env("NUMBER", "5432").Env("BOOL", "true").Env("NULLISH", "null").Env("QUOTE", "say \"hi\": yes")
            .SecretEnv("PASSWORD", new SecretRef("db", "password"))
            .Mount(Volume.Named("shared"), "/shared", readOnly: true)
            .Mount(Volume.Temp("1Gi"), "/tmp")
            .Resources(requests: new(Cpu: "500m", Memory: "1Gi"), limits: new(Cpu: "1000m", Memory: "2Gi"))
            .RunAs(1000).DropCapabilities("ALL")
            .Label("team", "data").Annotation("note", "line one\nline two\n")
            .Timeout(TimeSpan.FromMinutes(5))
            .OnKubernetes(k => k
                .PodTemplateFile("templates/data-processing-pod.yaml")
                .Toleration("gpu", null, TaintEffect.NoExecute, 60)
                .Sidecar(new V1Container { Name = "proxy", Image = "envoy:1" })));

        var yaml = CanonicalYaml.Write(spec.Spec);
        var pod = KubernetesYaml.Deserialize<V1Pod>(yaml, strict: true);

        var back = JsonNode.Parse(KubernetesJson.Serialize(pod));
        Assert.True(JsonNode.DeepEquals(spec.Spec, back), $"{spec.Spec.ToJsonString()}\n!=\n{back!.ToJsonString()}");
        Assert.Equal(yaml, spec.ToYaml());
    }
}
