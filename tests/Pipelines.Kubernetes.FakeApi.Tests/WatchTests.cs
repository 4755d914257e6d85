using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Pipelines.Kubernetes.FakeApi.Tests;

public sealed class WatchTests
{
    [Fact]
    public async Task A_watch_resumed_from_a_lists_resource_version_misses_no_change()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        var gate = new PodGate();
        server.Scripts.Default = PodScript.Start().Until(gate).Exit(0);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("first"), Fake.Namespace, cancellationToken: ct);
        var list = await client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, cancellationToken: ct);

        // Changes while nobody watches: the first pod runs and ends, a second is created and runs.
        gate.Open();
        await server.WaitForPodAsync(p => p.Metadata.Name == "first" && Fake.IsTerminal(p), ct);
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("second"), Fake.Namespace, cancellationToken: ct);
        await server.WaitForPodAsync(p => p.Metadata.Name == "second" && Fake.IsTerminal(p), ct);
        await using var watch = PodWatch.Start(client, list.Metadata.ResourceVersion);
        var events = await watch.UntilAsync((_, p) => p.Metadata.Name == "second" && Fake.IsTerminal(p), ct);

        var listed = Assert.Single(list.Items);
        var versions = events.Select(e => long.Parse(e.Pod.Metadata.ResourceVersion)).ToList();
        Assert.All(versions, v => Assert.True(v > long.Parse(list.Metadata.ResourceVersion)));
        Assert.Equal(versions.Order(), versions);
        Assert.Contains(events, e => e.Pod.Metadata.Name == "first" && e.Pod.Status.Phase == "Succeeded");
        Assert.Equal(WatchEventType.Added, events.First(e => e.Pod.Metadata.Name == "second").Type);
        Assert.DoesNotContain(events, e => e.Pod.Metadata.Name == "first" && e.Type == WatchEventType.Added);
        Assert.Equal("first", listed.Metadata.Name);
    }

    [Fact]
    public async Task A_watch_from_zero_starts_with_ADDED_for_every_current_pod_the_selector_matches()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.Default = PodScript.Start().Until(new PodGate());
        using var client = server.CreateClient();
        foreach (var (name, task) in new[] { ("a", "load"), ("b", "load"), ("c", "report") })
        {
            await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod(name, new Dictionary<string, string> { ["pipelines.task"] = task, ["run"] = "1" }), Fake.Namespace, cancellationToken: ct);
        }

        await using var watch = PodWatch.Start(client, "0", labelSelector: "pipelines.task=load,run,!absent");
        var events = await watch.UntilAsync((_, p) => p.Metadata.Name == "b", ct);
        var listed = await client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, labelSelector: "pipelines.task!=load", cancellationToken: ct);
        var byName = await client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, fieldSelector: "metadata.name=b", cancellationToken: ct);

        Assert.Equal([(WatchEventType.Added, "a"), (WatchEventType.Added, "b")], events.Select(e => (e.Type, e.Pod.Metadata.Name)));
        Assert.Equal("c", Assert.Single(listed.Items).Metadata.Name);
        Assert.Equal("b", Assert.Single(byName.Items).Metadata.Name);
    }

    [Fact]
    public async Task A_watch_from_a_compacted_version_gets_200_with_one_410_Expired_error_then_the_end()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        using var client = server.CreateClient();
        var old = (await client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, cancellationToken: ct)).Metadata.ResourceVersion;
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("p"), Fake.Namespace, cancellationToken: ct);
        await server.WaitForPodAsync(Fake.IsTerminal, ct);

        server.Faults.CompactHistory();
        await using var watch = PodWatch.Start(client, old);
        var events = await watch.RestAsync(ct);
        await watch.Completion;

        Assert.Empty(events);
        var error = Assert.IsType<KubernetesException>(Assert.Single(watch.Errors));
        Assert.Equal((410, "Expired"), (error.Status.Code, error.Status.Reason));
        Assert.StartsWith($"too old resource version: {old} (", error.Status.Message, StringComparison.Ordinal);
        Assert.Equal(200, server.Requests.All.Single(r => r.Verb == "watch").StatusCode);
    }

    [Fact]
    public async Task GoneOnNextWatches_answers_the_next_resumed_watches_with_410()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        var gate = new PodGate();
        server.Scripts.Default = PodScript.Start().Until(gate).Exit(0);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("p"), Fake.Namespace, cancellationToken: ct);
        var version = (await client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, cancellationToken: ct)).Metadata.ResourceVersion;

        server.Faults.GoneOnNextWatches(1);
        await using var gone = PodWatch.Start(client, version);
        await gone.RestAsync(ct);
        await using var resumed = PodWatch.Start(client, version);
        gate.Open();
        var replayed = await resumed.UntilAsync((_, p) => Fake.IsTerminal(p), ct);

        Assert.Equal(410, Assert.IsType<KubernetesException>(Assert.Single(gone.Errors)).Status.Code);
        Assert.Equal(WatchEventType.Modified, replayed[^1].Type);
        Assert.Empty(resumed.Errors);
    }

    [Fact]
    public async Task DropWatches_breaks_every_open_watch_mid_stream()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.Default = PodScript.Start().Until(new PodGate());
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("p"), Fake.Namespace, cancellationToken: ct);
        await using var watch = PodWatch.Start(client, "0");
        await watch.UntilAsync((type, _) => type == WatchEventType.Added, ct);
        var events = client.CoreV1.WatchListNamespacedEventAsync(Fake.Namespace, resourceVersion: "0", cancellationToken: ct).GetAsyncEnumerator(ct);
        Assert.True(await events.MoveNextAsync());

        server.Faults.DropWatches();

        var broken = await Record.ExceptionAsync(() => watch.Completion);
        var brokenEvents = await Record.ExceptionAsync(async () =>
        {
            while (await events.MoveNextAsync())
            {
            }
        });
        Assert.IsAssignableFrom<IOException>(broken);
        Assert.IsAssignableFrom<IOException>(brokenEvents);
        await events.DisposeAsync();
    }

    [Fact]
    public async Task A_watch_ends_cleanly_at_its_timeout_with_a_bookmark_when_asked()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.Default = PodScript.Start().Until(new PodGate());
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("p"), Fake.Namespace, cancellationToken: ct);

        await using var watch = PodWatch.Start(client, "0", timeoutSeconds: 1, bookmarks: true);
        var events = await watch.RestAsync(ct);
        await watch.Completion;

        Assert.Equal(WatchEventType.Added, events[0].Type);
        Assert.Equal(WatchEventType.Bookmark, events[^1].Type);
        Assert.True(long.Parse(events[^1].Pod.Metadata.ResourceVersion) >= long.Parse(server.Pods[0].Metadata.ResourceVersion));
        Assert.Empty(watch.Errors);
    }

    [Fact]
    public async Task A_bad_selector_is_400_as_the_real_server_words_it()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        using var client = server.CreateClient();

        var failure = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, fieldSelector: "spec.unknown=x", cancellationToken: ct));

        Assert.Equal(400, (int)failure.Response.StatusCode);
        Assert.Equal("field label not supported: spec.unknown", Fake.Status(failure).Message);
    }

    [Fact]
    public async Task Events_are_watched_by_the_pods_name()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        using var client = server.CreateClient();
        var version = (await client.CoreV1.ListNamespacedEventAsync(Fake.Namespace, cancellationToken: ct)).Metadata.ResourceVersion;
        var seen = new List<(WatchEventType Type, Corev1Event Event)>();
        var reading = Task.Run(
            async () =>
            {
                await foreach (var item in client.CoreV1.WatchListNamespacedEventAsync(Fake.Namespace, fieldSelector: "involvedObject.name=watched", resourceVersion: version, cancellationToken: ct))
                {
                    seen.Add(item);
                    if (item.Item2.Reason == "Started")
                    {
                        return;
                    }
                }
            },
            ct);

        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("other"), Fake.Namespace, cancellationToken: ct);
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("watched"), Fake.Namespace, cancellationToken: ct);
        await reading;

        Assert.All(seen, e => Assert.Equal((WatchEventType.Added, "watched", "Normal"), (e.Type, e.Event.InvolvedObject.Name, e.Event.Type)));
        Assert.Equal(["Scheduled", "Pulled", "Created", "Started"], seen.Select(e => e.Event.Reason));
        Assert.Equal("spec.containers{base}", seen[^1].Event.InvolvedObject.FieldPath);
        Assert.Equal(("kubelet", "fake-node"), (seen[^1].Event.Source.Component, seen[^1].Event.Source.Host));
    }
}
