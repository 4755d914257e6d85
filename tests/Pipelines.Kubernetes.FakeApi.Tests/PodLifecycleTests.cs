using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Pipelines.Kubernetes.FakeApi.Tests;

public sealed class PodLifecycleTests
{
    [Fact]
    public async Task A_created_pod_is_watched_from_ADDED_to_Succeeded_with_its_exit_code_and_termination_message()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.Default = PodScript.Start().Log("hello", "world").Exit(0, terminationMessage: "{\"rows\":3}");
        using var client = server.CreateClient();
        var list = await client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, cancellationToken: ct);
        await using var watch = PodWatch.Start(client, list.Metadata.ResourceVersion);

        var created = await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("task-a"), Fake.Namespace, cancellationToken: ct);
        var events = await watch.UntilAsync((_, pod) => Fake.IsTerminal(pod), ct);

        Assert.Equal("Pending", created.Status.Phase);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.Equal(Fake.Namespace, created.Metadata.NamespaceProperty);
        Assert.Equal(WatchEventType.Added, events[0].Type);
        Assert.All(events.Skip(1), e => Assert.Equal(WatchEventType.Modified, e.Type));
        Assert.Contains(events, e => e.Pod.Status.Phase == "Running" && e.Pod.Status.ContainerStatuses[0].State.Running?.StartedAt is not null);
        var last = events[^1].Pod;
        Assert.Equal("Succeeded", last.Status.Phase);
        Assert.Equal(0, Fake.Terminated(last)!.ExitCode);
        Assert.Equal("Completed", Fake.Terminated(last)!.Reason);
        Assert.Equal("{\"rows\":3}", Fake.Terminated(last)!.Message);
        Assert.Equal(
            events.Select(e => long.Parse(e.Pod.Metadata.ResourceVersion)).Order(),
            events.Select(e => long.Parse(e.Pod.Metadata.ResourceVersion)));
        Assert.NotNull(server.TerminalEmittedTimestamp("task-a"));
        Assert.Equal(1, server.CreatedCount("task-a"));
    }

    [Fact]
    public async Task A_failing_container_fails_the_pod_with_its_reason_and_a_message_cut_to_4096_bytes()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.For(pod => pod.Metadata.Name == "oom" ? PodScript.Start().Exit(137, new string('x', 5000), "OOMKilled") : null);
        using var client = server.CreateClient();

        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("oom", sidecars: "proxy"), Fake.Namespace, cancellationToken: ct);
        var pod = await server.WaitForPodAsync(p => Fake.IsTerminal(p), ct);

        Assert.Equal("Failed", pod.Status.Phase);
        Assert.Equal("OOMKilled", Fake.Terminated(pod)!.Reason);
        Assert.Equal(137, Fake.Terminated(pod)!.ExitCode);
        Assert.Equal(4096, Fake.Terminated(pod)!.Message.Length);
        Assert.NotNull(pod.Status.ContainerStatuses[1].State.Terminated);
    }

    [Fact]
    public async Task A_created_pod_that_exists_is_409_AlreadyExists_and_a_mismatched_namespace_is_400()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.Default = PodScript.Start().Until(new PodGate());
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("twice"), Fake.Namespace, cancellationToken: ct);

        var again = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("twice"), Fake.Namespace, cancellationToken: ct));
        var elsewhere = Fake.Pod("elsewhere");
        elsewhere.Metadata.NamespaceProperty = "other";
        var mismatch = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedPodAsync(elsewhere, Fake.Namespace, cancellationToken: ct));

        Assert.Equal(409, (int)again.Response.StatusCode);
        var status = Fake.Status(again);
        Assert.Equal(("Failure", "AlreadyExists", 409, "pods \"twice\" already exists"), (status.Status, status.Reason, status.Code, status.Message));
        Assert.Equal(("twice", "pods"), (status.Details.Name, status.Details.Kind));
        Assert.Equal(400, (int)mismatch.Response.StatusCode);
        Assert.Equal(1, server.CreatedCount("twice"));
    }

    [Fact]
    public async Task Deleting_a_running_pod_sets_deletionTimestamp_stops_the_container_with_143_then_emits_DELETED()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.Default = PodScript.Start().Until(new PodGate());
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("held"), Fake.Namespace, cancellationToken: ct);
        var running = await server.WaitForPodAsync(p => p.Status.Phase == "Running", ct);
        await using var watch = PodWatch.Start(client, running.Metadata.ResourceVersion);

        var deleting = await client.CoreV1.DeleteNamespacedPodAsync("held", Fake.Namespace, gracePeriodSeconds: 5, cancellationToken: ct);
        var events = await watch.UntilAsync((type, _) => type == WatchEventType.Deleted, ct);

        Assert.NotNull(deleting.Metadata.DeletionTimestamp);
        Assert.Equal(5, deleting.Metadata.DeletionGracePeriodSeconds);
        Assert.Equal([WatchEventType.Modified, WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal(143, Fake.Terminated(events[1].Pod)!.ExitCode);
        Assert.Equal("Failed", events[1].Pod.Status.Phase);
        Assert.Empty(server.Pods);
        Assert.Equal(5, server.Requests.All.Single(r => r.Verb == "delete").GracePeriodSeconds);
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedPodAsync("held", Fake.Namespace, cancellationToken: ct));
        Assert.Equal(404, (int)missing.Response.StatusCode);
    }

    [Fact]
    public async Task DeletePod_by_someone_else_is_seen_as_DELETED_and_stops_the_script()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.Default = PodScript.Start().Until(new PodGate()).Exit(0);
        using var client = server.CreateClient();
        var list = await client.CoreV1.ListNamespacedPodAsync(Fake.Namespace, cancellationToken: ct);
        await using var watch = PodWatch.Start(client, list.Metadata.ResourceVersion);
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("victim"), Fake.Namespace, cancellationToken: ct);
        await server.WaitForPodAsync(p => p.Status.Phase == "Running", ct);

        Assert.True(server.DeletePod(Fake.Namespace, "victim"));
        var events = await watch.UntilAsync((type, _) => type == WatchEventType.Deleted, ct);

        Assert.Equal(30, events.First(e => e.Pod.Metadata.DeletionTimestamp is not null).Pod.Metadata.DeletionGracePeriodSeconds);
        Assert.False(server.DeletePod(Fake.Namespace, "victim"));
        Assert.Equal(1, server.CreatedCount("victim"));
    }

    [Fact]
    public async Task An_unschedulable_pod_stays_Pending_with_the_condition_and_a_FailedScheduling_warning()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        const string Message = "0/3 nodes are available: 3 Insufficient cpu.";
        server.Scripts.Default = PodScript.Unschedulable(Message).Start();
        using var client = server.CreateClient();

        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("too-big"), Fake.Namespace, cancellationToken: ct);
        var pod = await server.WaitForPodAsync(p => p.Status.Conditions?.Any(c => c.Type == "PodScheduled") == true, ct);
        var events = await client.CoreV1.ListNamespacedEventAsync(Fake.Namespace, fieldSelector: "involvedObject.name=too-big", cancellationToken: ct);

        Assert.Equal("Pending", pod.Status.Phase);
        var scheduled = pod.Status.Conditions.Single(c => c.Type == "PodScheduled");
        Assert.Equal(("False", "Unschedulable", Message), (scheduled.Status, scheduled.Reason, scheduled.Message));
        var warning = Assert.Single(events.Items);
        Assert.Equal(("Warning", "FailedScheduling", Message, "default-scheduler"), (warning.Type, warning.Reason, warning.Message, warning.Source.Component));
        Assert.Equal(("Pod", "too-big", pod.Metadata.Uid), (warning.InvolvedObject.Kind, warning.InvolvedObject.Name, warning.InvolvedObject.Uid));
        Assert.StartsWith("too-big.", warning.Metadata.Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_waiting_container_shows_its_reason_a_Failed_warning_and_its_log_is_400()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.Default = PodScript.Waiting("ErrImagePull", "failed to pull image \"nope:1\": not found");
        using var client = server.CreateClient();

        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("no-image"), Fake.Namespace, cancellationToken: ct);
        var pod = await server.WaitForPodAsync(p => p.Status.ContainerStatuses?[0].State.Waiting?.Reason == "ErrImagePull", ct);
        var log = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedPodLogAsync("no-image", Fake.Namespace, cancellationToken: ct));
        var events = await client.CoreV1.ListNamespacedEventAsync(Fake.Namespace, fieldSelector: "involvedObject.name=no-image,type=Warning", cancellationToken: ct);

        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Equal(400, (int)log.Response.StatusCode);
        Assert.Equal("container \"base\" in pod \"no-image\" is waiting to start: ErrImagePull", Fake.Status(log).Message);
        Assert.Equal("Failed", Assert.Single(events.Items).Reason);
    }

    [Fact]
    public async Task Evicted_and_deadline_pods_fail_with_the_kubelet_reasons()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.For(p => p.Metadata.Name == "evicted" ? PodScript.Start().Evict("The node was low on resource: memory.") : null)
            .For(p => p.Metadata.Name == "late" ? PodScript.Start().DeadlineExceeded() : null);
        using var client = server.CreateClient();

        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("evicted"), Fake.Namespace, cancellationToken: ct);
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("late"), Fake.Namespace, cancellationToken: ct);
        var evicted = await server.WaitForPodAsync(p => p.Metadata.Name == "evicted" && Fake.IsTerminal(p), ct);
        var late = await server.WaitForPodAsync(p => p.Metadata.Name == "late" && Fake.IsTerminal(p), ct);

        Assert.Equal(("Failed", "Evicted", "The node was low on resource: memory."), (evicted.Status.Phase, evicted.Status.Reason, evicted.Status.Message));
        Assert.Equal(137, Fake.Terminated(evicted)!.ExitCode);
        Assert.Equal(("Failed", "DeadlineExceeded"), (late.Status.Phase, late.Status.Reason));
        Assert.Equal("Pod was active on the node longer than the specified deadline", late.Status.Message);
    }

    [Fact]
    public async Task A_delay_runs_on_the_servers_clock()
    {
        var ct = Fake.Within();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 6, 1, 2, TimeSpan.Zero));
        await using var server = await FakeKubernetesServer.StartAsync(new FakeServerOptions { Time = time }, ct);
        server.Scripts.Default = PodScript.Start().Delay(TimeSpan.FromMinutes(10)).Exit(0);
        using var client = server.CreateClient();

        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("slow"), Fake.Namespace, cancellationToken: ct);
        var running = await server.WaitForPodAsync(p => p.Status.Phase == "Running", ct);
        Assert.Null(server.TerminalEmittedTimestamp("slow"));
        time.Advance(TimeSpan.FromMinutes(10));
        var done = await server.WaitForPodAsync(Fake.IsTerminal, ct);

        Assert.Equal(new DateTime(2026, 11, 30, 6, 1, 2, DateTimeKind.Utc), running.Status.ContainerStatuses[0].State.Running.StartedAt);
        Assert.Equal(new DateTime(2026, 11, 30, 6, 11, 2, DateTimeKind.Utc), Fake.Terminated(done)!.FinishedAt);
    }
}
