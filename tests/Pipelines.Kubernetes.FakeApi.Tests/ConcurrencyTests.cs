using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Pipelines.Kubernetes.FakeApi.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Fifty_pods_followed_at_once_and_one_watch_each_see_every_line_and_every_end()
    {
        var ct = Fake.Within(60);
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        var gate = new PodGate();
        server.Scripts.Default = PodScript.Start().Until(gate).Log("one", "two", "three").Exit(0);
        using var client = server.CreateClient();
        var labels = new Dictionary<string, string> { ["run"] = "wide" };
        var version = (await client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, cancellationToken: ct)).Metadata.ResourceVersion;
        await using var watch = PodWatch.Start(client, version, labelSelector: "run=wide");
        var names = Enumerable.Range(0, 50).Select(i => $"wide-{i}").ToList();
        await Parallel.ForEachAsync(names, ct, async (name, token) => await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod(name, labels), Fake.Namespace, cancellationToken: token));
        var running = new HashSet<string>();
        await watch.UntilAsync((_, p) => p.Status.Phase == "Running" && running.Add(p.Metadata.Name) && running.Count == names.Count, ct);

        var logs = new ConcurrentDictionary<string, string>();
        var followers = names.Select(name => Task.Run(
            async () =>
            {
                await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(name, Fake.Namespace, follow: true, cancellationToken: ct);
                logs[name] = await new StreamReader(stream).ReadToEndAsync(ct);
            },
            ct)).ToList();
        await server.Requests.WaitForCountAsync("get", "pods/log", names.Count, ct);
        gate.Open();
        await Task.WhenAll(followers);
        var succeeded = new HashSet<string>();
        await watch.UntilAsync((_, p) => p.Status.Phase == "Succeeded" && succeeded.Add(p.Metadata.Name) && succeeded.Count == names.Count, ct);

        Assert.All(names, name => Assert.Equal("one\ntwo\nthree\n", logs[name]));
        Assert.All(names, name => Assert.NotNull(server.TerminalEmittedTimestamp(name)));
        Assert.Equal(names.Count, server.Requests.Count("create", "pods"));
    }

    [Fact]
    public async Task Two_hundred_pods_fifty_at_once_all_succeed_and_each_is_created_once()
    {
        var ct = Fake.Within(60);
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.Default = PodScript.Start().Log("done").Exit(0, terminationMessage: "{}");
        using var client = server.CreateClient();
        var version = (await client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, cancellationToken: ct)).Metadata.ResourceVersion;
        await using var watch = PodWatch.Start(client, version);
        var names = Enumerable.Range(0, 200).Select(i => $"many-{i}").ToList();

        await Parallel.ForEachAsync(
            names,
            new ParallelOptions { MaxDegreeOfParallelism = 50, CancellationToken = ct },
            async (name, token) => await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod(name), Fake.Namespace, cancellationToken: token));
        var done = new HashSet<string>();
        var events = await watch.UntilAsync((_, p) => Fake.IsTerminal(p) && done.Add(p.Metadata.Name) && done.Count == names.Count, ct);

        Assert.All(names, name => Assert.Equal(1, server.CreatedCount(name)));
        Assert.All(done, name => Assert.Equal("Succeeded", events.Last(e => e.Pod.Metadata.Name == name).Pod.Status.Phase));
        var versions = events.Select(e => long.Parse(e.Pod.Metadata.ResourceVersion)).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(200, server.Pods.Count);
    }
}
