using System.Net;
using k8s;
using k8s.Autorest;

namespace Pipelines.Kubernetes.FakeApi.Tests;

public sealed class AuthTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fake-kube-").FullName;

    [Fact]
    public async Task A_token_kubeconfig_works_until_the_token_expires_and_again_once_reread()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(new FakeServerOptions { RequireToken = true }, ct);
        var path = server.WriteKubeconfig(_directory, Fake.Namespace);
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        using var client = new k8s.Kubernetes(config);
        await client.CoreV1.ListNamespacedPodAsync(config.Namespace, cancellationToken: ct);
        await using var watch = PodWatch.Start(client, "0");
        await server.Requests.WaitForAsync(r => r.Verb == "watch", ct);

        var fresh = server.Faults.ExpireToken();
        var broken = await Record.ExceptionAsync(() => watch.Completion);
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, cancellationToken: ct));
        using var reread = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
        await reread.CoreV1.ListNamespacedPodAsync(Fake.Namespace, cancellationToken: ct);

        Assert.Equal(Fake.Namespace, config.Namespace);
        // A watch that had sent no event yet breaks inside the client's request (HttpRequestException), one that had, in its stream (IOException).
        Assert.True(broken is IOException or HttpRequestException, $"{broken}");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Response.StatusCode);
        Assert.Equal(("Unauthorized", 401), (Fake.Status(refused).Reason, Fake.Status(refused).Code));
        Assert.Equal(fresh, server.Requests.All[^1].Token);
        Assert.Equal([200, 200, 401, 200], server.Requests.All.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task An_exec_credential_kubeconfig_reads_the_token_file_the_server_rewrites()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(new FakeServerOptions { RequireToken = true }, ct);
        var path = server.WriteKubeconfig(_directory, Fake.Namespace, execCredential: true);
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
        await client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, cancellationToken: ct);
        var first = server.Requests.All[^1].Token;

        server.Faults.ExpireToken();
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, cancellationToken: ct));
        using var reread = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
        await reread.CoreV1.ListNamespacedPodAsync(Fake.Namespace, cancellationToken: ct);

        Assert.NotNull(first);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Response.StatusCode);
        Assert.Equal(server.CurrentToken, server.Requests.All[^1].Token);
        Assert.NotEqual(first, server.CurrentToken);
        Assert.Contains("\"kind\":\"ExecCredential\"", await File.ReadAllTextAsync(Path.Combine(_directory, "token.json"), ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_tokens_the_kubeconfig_names_no_user_and_any_request_is_served()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(_directory));
        using var client = new k8s.Kubernetes(config);

        var pods = await client.CoreV1.ListNamespacedPodAsync(config.Namespace, cancellationToken: ct);

        Assert.Equal("default", config.Namespace);
        Assert.Empty(pods.Items);
        Assert.Null(server.Requests.All.Single().Token);
    }

    /// <inheritdoc/>
    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
