using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using Pipelines.Tests.Shared;

namespace Pipelines.Kubernetes.FakeApi.Tests;

public sealed class SchemaTests
{
    [Fact]
    public async Task The_schema_rejects_a_pod_with_an_unknown_field_and_accepts_the_pod_the_client_sends()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        if (!server.ValidatesSchema)
        {
            // Skips, or fails under CI=true.
            MachineRequirement.Unmet("the Kubernetes Pod schema (../shared/kubernetes-schema/pod-v1.json beside the repository, or PIPELINES_SCHEMA_DIR) is absent");
        }

        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(RichPod("valid"), Fake.Namespace, cancellationToken: ct);
        var body = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"odd"},"spec":{"containers":[{"name":"base","image":"busybox","colour":"blue"}]}}""";
        using var http = new HttpClient { BaseAddress = server.Url };
        using var response = await http.PostAsync($"api/v1/namespaces/{Fake.Namespace}/pods", new StringContent(body, Encoding.UTF8, "application/json"), ct);
        var status = KubernetesJson.Deserialize<V1Status>(await response.Content.ReadAsStringAsync(ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(("Invalid", 422, "Pod"), (status.Reason, status.Code, status.Details.Kind));
        Assert.Equal("Pod \"odd\" is invalid: unknown field \"spec.containers[0].colour\"", status.Message);
        Assert.Equal("spec.containers[0].colour", Assert.Single(status.Details.Causes).Field);
        Assert.Equal(["valid"], server.Pods.Select(p => p.Metadata.Name));
    }

    // What a runtime renders: resources, env, volumes, security context, scheduling; serialized by the client.
    private static V1Pod RichPod(string name)
    {
        var pod = Fake.Pod(name, new Dictionary<string, string> { ["pipelines.task"] = "load" }, "proxy");
        pod.Metadata.Annotations = new Dictionary<string, string> { ["pipelines/attempt"] = "1" };
        pod.Spec.ActiveDeadlineSeconds = 600;
        pod.Spec.NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" };
        pod.Spec.Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "batch", Effect = "NoSchedule" }];
        pod.Spec.Volumes = [new V1Volume { Name = "work", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("1Gi") } }];
        pod.Spec.SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true, RunAsUser = 1000, FsGroup = 1000 };
        var container = pod.Spec.Containers[0];
        container.Env = [new V1EnvVar { Name = "A", Value = "1" }, new V1EnvVar { Name = "POD", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } }];
        container.Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("64Mi") },
            Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1"), ["memory"] = new("128Mi") },
        };
        container.VolumeMounts = [new V1VolumeMount { Name = "work", MountPath = "/work" }];
        container.TerminationMessagePolicy = "FallbackToLogsOnError";
        container.SecurityContext = new V1SecurityContext { AllowPrivilegeEscalation = false, Capabilities = new V1Capabilities { Drop = ["ALL"] } };
        return pod;
    }

    [Fact]
    public async Task A_pod_without_a_name_or_containers_is_422_Invalid_even_without_a_schema()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(new FakeServerOptions { SchemaDirectory = "" }, ct);
        using var http = new HttpClient { BaseAddress = server.Url };

        using var response = await http.PostAsync($"api/v1/namespaces/{Fake.Namespace}/pods", new StringContent("""{"metadata":{},"spec":{"containers":[]}}""", Encoding.UTF8, "application/json"), ct);
        var status = KubernetesJson.Deserialize<V1Status>(await response.Content.ReadAsStringAsync(ct));

        Assert.False(server.ValidatesSchema);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("Pod \"\" is invalid: [metadata.name: Required value: name or generateName is required, spec.containers: Required value]", status.Message);
    }
}
