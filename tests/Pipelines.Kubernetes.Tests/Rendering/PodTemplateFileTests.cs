using k8s.Models;
using Pipelines.Kubernetes.Rendering;
using Pipelines.Rendering;
using static Pipelines.Kubernetes.Tests.Rendering.Attempts;

namespace Pipelines.Kubernetes.Tests.Rendering;

/// <summary>Pod template files: what is refused (naming file and line), caching, and the repo's template.</summary>
public sealed class PodTemplateFileTests
{
    private static RenderDiagnostic SingleTemplateError(string yaml)
    {
        var root = TemplateProject(yaml, "bad.yaml");
        var spec = Render(t => t.OnKubernetes(k => k.PodTemplateFile("bad.yaml")), root);
        var error = Assert.Single(spec.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Error, "kubernetes.podTemplateFile"), (error.Severity, error.Field));
        Assert.Contains("bad.yaml", error.Message, StringComparison.Ordinal);
        Assert.Equal("base", ToPod(spec.Spec).Base().Name); // the task's own pod still renders
        return error;
    }

    [Fact]
    public void An_unknown_field_is_an_error_naming_the_file_the_field_and_the_line()
    {
        var error = SingleTemplateError("""
            apiVersion: v1
            kind: Pod
            spec:
              containers:
                - name: base
                  image: placeholder
              sidecars:
                - name: log-shipper
                  image: fluentbit/fluent-bit:2.0
            """);

        Assert.Contains("'spec.sidecars'", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 7", error.Message, StringComparison.Ordinal);
        Assert.Contains("restartPolicy: Always", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_nested_field_is_an_error_with_its_path()
    {
        var error = SingleTemplateError("""
            apiVersion: v1
            kind: Pod
            spec:
              containers:
                - name: base
                  image: placeholder
                  resource:
                    limits: {cpu: "1"}
            """);

        Assert.Contains("'spec.containers[0].resource'", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_template_that_is_not_a_pod_is_an_error()
    {
        var error = SingleTemplateError("""
            apiVersion: v1
            kind: Service
            spec: {}
            """);

        Assert.Contains("kind: Pod", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_template_that_is_not_yaml_is_an_error() =>
        Assert.Contains("not valid YAML", SingleTemplateError("apiVersion: v1\nkind: Pod\nspec: [unclosed\n").Message, StringComparison.Ordinal);

    [Fact]
    public void A_field_of_the_wrong_type_is_an_error() =>
        Assert.Contains("not a valid Pod", SingleTemplateError("""
            apiVersion: v1
            kind: Pod
            spec:
              activeDeadlineSeconds: soon
            """).Message, StringComparison.Ordinal);

    [Fact]
    public void Several_documents_are_an_error() =>
        Assert.Contains("one YAML document", SingleTemplateError("apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\n").Message, StringComparison.Ordinal);

    [Fact]
    public void A_missing_template_is_an_error() =>
        Assert.Contains("does not exist", Render(t => t.OnKubernetes(k => k.PodTemplateFile("nowhere.yaml"))).Diagnostics.Single().Message, StringComparison.Ordinal);

    [Fact]
    public void A_template_is_read_once_and_again_when_it_changes()
    {
        var root = TemplateProject("apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {tier: a}\n");
        var task = Attempt(t => t.OnKubernetes(k => k.PodTemplateFile("pod.yaml")));
        var renderer = new PodRenderer();

        Assert.Equal("a", renderer.RenderPod(task, root, out _).Metadata.Labels["tier"]);
        File.WriteAllText(Path.Combine(root, "pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {tier: bb}\n");
        Assert.Equal("bb", renderer.RenderPod(task, root, out _).Metadata.Labels["tier"]);
    }

    [Fact]
    public void The_repos_data_processing_template_merges_into_a_valid_pod()
    {
        var spec = Render(t => t
            .Mount(Volume.Named("airflow-shared-pvc"), "/shared")
            .OnKubernetes(k => k.PodTemplateFile("templates/data-processing-pod.yaml").Toleration("dedicated", "data-processing", TaintEffect.NoSchedule)));
        var pod = ToPod(spec.Spec);

        Assert.Empty(spec.Diagnostics);
        Assert.Equal(["base"], pod.Spec.Containers.Select(c => c.Name));
        Assert.Equal(("1Gi", "500m"), (pod.Base().Resources.Requests["memory"].ToString(), pod.Base().Resources.Requests["cpu"].ToString()));
        Assert.Equal(
            [("init-permissions", null), ("wait-for-db", null), ("log-shipper", "Always"), ("metrics-exporter", "Always")],
            pod.Spec.InitContainers.Select(c => (c.Name, (string?)c.RestartPolicy)));
        Assert.Equal("shared-data", pod.Base().VolumeMounts.Single(m => m.MountPath == "/shared").Name);
        Assert.Contains(pod.Spec.Volumes, v => v.Name == "logs" && v.EmptyDir is not null);
        Assert.Single(pod.Spec.Tolerations);
        Assert.Equal((1000L, "airflow-worker", "ClusterFirst", "Never"), (pod.Spec.SecurityContext.FsGroup!.Value, pod.Spec.ServiceAccountName, pod.Spec.DnsPolicy, pod.Spec.RestartPolicy));
        Assert.Equal("data-processing", pod.Spec.NodeSelector["workload"]);
    }

    [Fact]
    public void The_repos_template_file_is_itself_a_pod_without_unknown_fields()
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot, "templates", "data-processing-pod.yaml"));
        var pod = k8s.KubernetesYaml.Deserialize<V1Pod>(text, strict: true);

        Assert.Equal(["fluentbit/fluent-bit:2.0", "prom/node-exporter:v1.5.0"], pod.Spec.InitContainers.Where(c => c.RestartPolicy == "Always").Select(c => c.Image));
        Assert.Equal(["busybox:1.35", "busybox:1.35"], pod.Spec.InitContainers.Where(c => c.RestartPolicy is null).Select(c => c.Image));
    }
}
