using System.Net;
using k8s;
using k8s.Autorest;

namespace Pipelines.Kubernetes.FakeApi.Tests;

public sealed class FaultTests
{
    [Fact]
    public async Task Failed_creates_answer_the_queued_failures_in_order_and_create_nothing()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Faults.User = "system:serviceaccount:pipelines:runner";
        server.Faults.FailNextCreates(FakeFailure.TooManyRequests(retryAfterSeconds: 2), FakeFailure.ServerError(503), FakeFailure.Forbidden());
        using var client = server.CreateClient();

        var failures = new List<HttpOperationException>();
        for (var i = 0; i < 3; i++)
        {
            failures.Add(await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("p"), Fake.Namespace, cancellationToken: ct)));
        }

        Assert.Empty(server.Pods);
        Assert.Equal(0, server.CreatedCount("p"));
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("p"), Fake.Namespace, cancellationToken: ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, failures[0].Response.StatusCode);
        Assert.Equal(["2"], failures[0].Response.Headers["Retry-After"]);
        Assert.Equal(("TooManyRequests", 2), (Fake.Status(failures[0]).Reason, Fake.Status(failures[0]).Details.RetryAfterSeconds));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "ServiceUnavailable"), (failures[1].Response.StatusCode, Fake.Status(failures[1]).Reason));
        Assert.Equal((HttpStatusCode.Forbidden, "Forbidden"), (failures[2].Response.StatusCode, Fake.Status(failures[2]).Reason));
        Assert.Equal(
            "pods is forbidden: User \"system:serviceaccount:pipelines:runner\" cannot create resource \"pods\" in API group \"\" in the namespace \"pipelines\"",
            Fake.Status(failures[2]).Message);
        Assert.Equal(1, server.CreatedCount("p"));
        Assert.Equal([429, 503, 403, 201], server.Requests.All.Where(r => r.Verb == "create").Select(r => r.StatusCode));
    }

    [Fact]
    public async Task A_forbidden_verb_is_403_with_the_authorizers_message_until_allowed()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("p"), Fake.Namespace, cancellationToken: ct);
        await server.WaitForPodAsync(Fake.IsTerminal, ct);

        server.Faults.Forbid("get", "pods/log");
        var log = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedPodLogAsync("p", Fake.Namespace, cancellationToken: ct));
        server.Faults.Allow("get", "pods/log");
        await using var allowed = await client.CoreV1.ReadNamespacedPodLogAsync("p", Fake.Namespace, cancellationToken: ct);

        Assert.Equal(HttpStatusCode.Forbidden, log.Response.StatusCode);
        Assert.Equal(
            "pods \"p\" is forbidden: User \"system:serviceaccount:default:default\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"pipelines\"",
            Fake.Status(log).Message);
    }

    [Fact]
    public async Task Every_request_is_counted_by_verb_and_resource()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("a"), Fake.Namespace, cancellationToken: ct);
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("b"), Fake.Namespace, cancellationToken: ct);
        await server.WaitForPodAsync(p => p.Metadata.Name == "b" && Fake.IsTerminal(p), ct);
        server.Requests.Reset();

        await client.CoreV1.ReadNamespacedPodAsync("a", Fake.Namespace, cancellationToken: ct);
        var list = await client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, cancellationToken: ct);
        await using (var watch = PodWatch.Start(client, "0", timeoutSeconds: 1))
        {
            await watch.UntilAsync((_, p) => p.Metadata.Name == "b", ct);
        }

        await (await client.CoreV1.ReadNamespacedPodLogAsync("a", Fake.Namespace, cancellationToken: ct)).DisposeAsync();
        await client.CoreV1.DeleteNamespacedPodAsync("a", Fake.Namespace, cancellationToken: ct);
        await client.CoreV1.ListNamespacedEventAsync(Fake.Namespace, cancellationToken: ct);
        await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.DeleteNamespacedPodAsync("a", Fake.Namespace, cancellationToken: ct));
        await client.Version.GetCodeAsync(ct);

        Assert.Equal(8, server.Requests.Count());
        Assert.Equal(1, server.Requests.Count("get", "pods"));
        Assert.Equal(1, server.Requests.Count("list", "pods"));
        Assert.Equal(1, server.Requests.Count("watch", "pods"));
        Assert.Equal(1, server.Requests.Count("get", "pods/log"));
        Assert.Equal(2, server.Requests.Count("delete", "pods"));
        Assert.Equal(0, server.Requests.Count("create", "pods"));
        Assert.Equal(
            [("get", "pods"), ("list", "pods"), ("watch", "pods"), ("get", "pods/log"), ("delete", "pods"), ("list", "events"), ("get", "/version")],
            server.Requests.Distinct());
        var get = server.Requests.All[0];
        Assert.Equal((Fake.Namespace, "a", 200, server.CurrentToken), (get.Namespace, get.Name, get.StatusCode, get.Token));
        Assert.Equal([200, 404], server.Requests.All.Where(r => r.Verb == "delete").Select(r => r.StatusCode));
        Assert.Contains("resourceVersion=0", server.Requests.All.Single(r => r.Verb == "watch").Query, StringComparison.Ordinal);
        Assert.Equal(2, list.Items.Count);
    }
}
