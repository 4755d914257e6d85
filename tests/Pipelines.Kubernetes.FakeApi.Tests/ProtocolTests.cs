using System.Net;
using k8s;
using k8s.Models;

namespace Pipelines.Kubernetes.FakeApi.Tests;

public sealed class ProtocolTests
{
    [Fact]
    public async Task A_list_pages_with_limit_and_continue()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.Default = PodScript.Empty;
        using var client = server.CreateClient();
        foreach (var name in new[] { "c", "a", "b" })
        {
            await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod(name), Fake.Namespace, cancellationToken: ct);
        }

        var first = await client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, limit: 2, cancellationToken: ct);
        var rest = await client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, limit: 2, continueParameter: first.Metadata.ContinueProperty, cancellationToken: ct);

        Assert.Equal(["a", "b"], first.Items.Select(p => p.Metadata.Name));
        Assert.Equal(1, first.Metadata.RemainingItemCount);
        Assert.Equal(["c"], rest.Items.Select(p => p.Metadata.Name));
        Assert.Null(rest.Metadata.ContinueProperty);
        Assert.All(server.Pods, p => Assert.Equal("Pending", p.Status.Phase));
    }

    [Fact]
    public async Task Deletecollection_deletes_the_pods_the_selector_matches()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.Default = PodScript.Start().Until(new PodGate());
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("mine", new Dictionary<string, string> { ["run"] = "1" }), Fake.Namespace, cancellationToken: ct);
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("theirs", new Dictionary<string, string> { ["run"] = "2" }), Fake.Namespace, cancellationToken: ct);

        await client.CoreV1.DeleteCollectionNamespacedPodAsync(Fake.Namespace, labelSelector: "run=1", cancellationToken: ct);

        Assert.Equal(["theirs"], server.Pods.Select(p => p.Metadata.Name));
        Assert.Equal(1, server.Requests.Count("deletecollection", "pods"));
    }

    [Fact]
    public async Task GenerateName_version_namespace_and_unknown_paths_answer_as_a_real_server()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        using var client = server.CreateClient();
        var pod = Fake.Pod("");
        pod.Metadata.Name = null;
        pod.Metadata.GenerateName = "gen-";

        var created = await client.CoreV1.CreateNamespacedPodAsync(pod, Fake.Namespace, cancellationToken: ct);
        var version = await client.Version.GetCodeAsync(ct);
        var ns = await client.CoreV1.ReadNamespaceAsync(Fake.Namespace, cancellationToken: ct);
        using var http = new HttpClient { BaseAddress = server.Url };
        using var unknown = await http.GetAsync("apis/batch/v1/namespaces/x/jobs", ct);

        Assert.Matches("^gen-[0-9a-f]{5}$", created.Metadata.Name);
        Assert.Equal(("1", "32"), (version.Major, version.Minor));
        Assert.Equal("Active", ns.Status.Phase);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("NotFound", KubernetesJson.Deserialize<V1Status>(await unknown.Content.ReadAsStringAsync(ct)).Reason);
        Assert.Equal(("get", "/apis/batch/v1/namespaces/x/jobs", 404), (server.Requests.All[^1].Verb, server.Requests.All[^1].Resource, server.Requests.All[^1].StatusCode));
    }
}
