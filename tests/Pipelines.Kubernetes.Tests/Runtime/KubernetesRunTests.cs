using System.Text;
using Pipelines.Execution.State;
using Pipelines.Kubernetes.FakeApi;
using Pipelines.Kubernetes.Rendering;

namespace Pipelines.Kubernetes.Tests.Runtime;

/// <summary>
/// The Kubernetes runtime through the official client against the fake API server: the pods it submits, the watch that
/// drives it and the faults it survives, the start-up failures it reports, its logs, results and lifecycle.
/// </summary>
public sealed class KubernetesRunTests : IAsyncLifetime
{
    private KubernetesTestBed? _bed;

    private KubernetesTestBed Bed => _bed ?? throw new InvalidOperationException("the test bed is not started");

    private FakeKubernetesServer Server => Bed.Server;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _bed = await KubernetesTestBed.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_bed is not null)
        {
            await _bed.DisposeAsync();
        }
    }

    [Fact]
    public async Task Each_task_runs_as_the_pod_render_shows_with_the_store_in_its_name_and_labels()
    {
        Server.Scripts.Default = PodScript.Start().Log("hello").Exit(0, """{"rows": 3}""");
        var run = Bed.Plan(dag => dag.Container("extract", KubernetesTestBed.Image).Command("sh", "-c", "echo hello").Timeout(TimeSpan.FromMinutes(5)).Cleanup(CleanupPolicy.Keep));

        var result = await Bed.RunAsync(run);

        Assert.True(result.State == RunState.Success, result.ToString());
        Assert.Equal(["hello"], result.Logs["extract"]);
        Assert.Equal("""{"rows": 3}""", result.Attempts["extract"].Output);
        var rendered = new PodRenderer().RenderPod(Pipelines.Resolution.TaskResolver.Resolve(run, run.Dag["extract"], 1), Bed.Folder, out _);
        var pod = Assert.Single(Server.Pods);
        Assert.Equal(rendered.Metadata.Name + "-" + Bed.StoreId, pod.Metadata.Name);
        Assert.Equal(1, Server.CreatedCount(pod.Metadata.Name));
        Assert.Equal(300, pod.Spec.ActiveDeadlineSeconds); // the task's timeout
        Assert.Equal(Bed.StoreId, pod.Metadata.Labels[Attempts.AttemptNames.StoreLabel]);
        Assert.Equal(rendered.Spec.Containers[0].Command, pod.Spec.Containers[0].Command);
        Assert.Equal(rendered.Spec.Containers[0].Image, pod.Spec.Containers[0].Image);
        Assert.Equal(rendered.Spec.Containers[0].TerminationMessagePath, pod.Spec.Containers[0].TerminationMessagePath);
    }

    [Fact]
    public async Task A_dropped_watch_resumes_from_its_resource_version_and_misses_nothing()
    {
        var gate = new PodGate();
        Server.Scripts.Default = PodScript.Start().Log("before").Until(gate).Log("after").Exit(0);
        var running = Server.WaitForPodAsync(p => p.Status?.Phase == "Running", Cancel);
        var run = Task.Run(() => Bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image)), Cancel);
        await running;
        var watchesBefore = Server.Requests.Count("watch", "pods");

        Server.Faults.DropWatches();
        gate.Open();
        var result = await run;

        Assert.True(result.State == RunState.Success, result.ToString());
        Assert.Equal(["before", "after"], result.Logs["t"]);
        Assert.True(Server.Requests.Count("watch", "pods") > watchesBefore, "the watch was not opened again");
        Assert.Equal(1, Server.Requests.Count("list", "pods")); // resumed, not listed again
    }

    [Fact]
    public async Task A_410_Gone_in_the_stream_lists_again_and_goes_on()
    {
        var gate = new PodGate();
        Server.Scripts.Default = PodScript.Start().Until(gate).Exit(0);
        var running = Server.WaitForPodAsync(p => p.Status?.Phase == "Running", Cancel);
        var run = Task.Run(() => Bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image)), Cancel);
        await running;

        Server.Faults.GoneOnNextWatches();
        Server.Faults.DropWatches();
        gate.Open();
        var result = await run;

        Assert.True(result.State == RunState.Success, result.ToString());
        Assert.Equal(2, Server.Requests.Count("list", "pods"));
    }

    [Fact]
    public async Task Create_is_retried_on_429_and_5xx_and_Retry_After_is_honoured()
    {
        Server.Faults.FailNextCreates(FakeFailure.TooManyRequests(retryAfterSeconds: 1), FakeFailure.ServerError(503));

        var result = await Bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image));

        Assert.True(result.State == RunState.Success, result.ToString());
        var creates = Server.Requests.All.Where(r => r.Verb == "create" && r.Resource == "pods").ToList();
        Assert.Equal([429, 503, 201], creates.Select(c => c.StatusCode));
        Assert.True(creates[1].Time - creates[0].Time >= TimeSpan.FromSeconds(0.95), $"the retry came {creates[1].Time - creates[0].Time} after a Retry-After of 1 s");
    }

    [Fact]
    public async Task A_forbidden_create_fails_with_what_was_denied_and_the_role_needed()
    {
        Server.Faults.FailNextCreates(FakeFailure.Forbidden());

        var result = await Bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image));

        Assert.True(result.State == RunState.Failed, result.ToString());
        Assert.Contains("cannot create resource \"pods\"", result.Attempts["t"].Reason);
        Assert.Contains("pods: create, get, list, watch, delete", result.Attempts["t"].Reason);
    }

    [Fact]
    public async Task An_unschedulable_pod_fails_at_the_startup_timeout_with_the_schedulers_message()
    {
        Server.Scripts.Default = PodScript.Unschedulable("0/3 nodes are available: 3 Insufficient memory.");

        var result = await Bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image).OnKubernetes(k => k.StartupTimeout(TimeSpan.FromSeconds(1))));

        Assert.True(result.State == RunState.Failed, result.ToString());
        Assert.Contains("could not be scheduled within 1 s", result.Attempts["t"].Reason);
        Assert.Contains("0/3 nodes are available: 3 Insufficient memory.", result.Attempts["t"].Reason);
        Assert.Contains(result.Logs["t"], l => l.Contains("FailedScheduling", StringComparison.Ordinal)); // the pod's events
    }

    [Theory]
    [InlineData("ErrImagePull", "Failed to pull image \"registry.localhost/nope:1\": not found")]
    [InlineData("InvalidImageName", "couldn't parse image name")]
    [InlineData("CreateContainerConfigError", "secret \"db\" not found")]
    public async Task A_container_that_cannot_start_fails_after_the_short_grace_not_the_whole_timeout(string reason, string message)
    {
        Server.Scripts.Default = PodScript.Waiting(reason, message);
        var started = DateTimeOffset.UtcNow;

        var result = await Bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image)
            .OnKubernetes(k => k.StartupTimeout(TimeSpan.FromMinutes(10)).StartFailureGrace(TimeSpan.FromMilliseconds(300))));

        Assert.True(result.State == RunState.Failed, result.ToString());
        Assert.StartsWith($"{reason}: {message}", result.Attempts["t"].Reason);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromMinutes(1));
        Assert.Contains(result.Logs["t"], l => l.StartsWith("[event] Warning", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pull_error_that_heals_within_the_grace_is_logged_as_a_warning_and_the_task_goes_on()
    {
        Server.Scripts.Default = PodScript.Waiting("ErrImagePull", "registry timeout").Delay(TimeSpan.FromMilliseconds(200)).Start().Log("ran").Exit(0);

        var result = await Bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image).OnKubernetes(k => k.StartFailureGrace(TimeSpan.FromSeconds(20))));

        Assert.True(result.State == RunState.Success, result.ToString());
        Assert.Equal("[event] Warning Failed: registry timeout", result.Logs["t"][0]);
        Assert.Equal("ran", result.Logs["t"][^1]);
        Assert.DoesNotContain(result.Logs["t"], l => l.StartsWith("[event] Normal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_log_stream_cut_mid_line_resumes_with_no_gap_and_no_repeat()
    {
        // The kubelet's timestamps do not go back: three lines at one instant, then lines stamped as they are logged.
        var instant = DateTimeOffset.UtcNow.AddMinutes(-1);
        Server.Scripts.Default = PodScript.Start()
            .LogAt(instant, "a", "b", "c")
            .CutLogs("d, cut in the middle")
            .Log("e")
            .CutLogs("f, cut again")
            .Log("g")
            .Exit(0);

        var result = await Bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image));

        Assert.True(result.State == RunState.Success, result.ToString());
        Assert.Equal(["a", "b", "c", "d, cut in the middle", "e", "f, cut again", "g"], result.Logs["t"]);
        var reads = Server.Requests.All.Where(r => r.Resource == "pods/log").ToList();
        Assert.Equal(3, reads.Count);
        var since = Uri.EscapeDataString(instant.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"sinceTime={since}", reads[1].Query, StringComparison.Ordinal); // whole seconds: the three lines at the instant are read again, and dropped
    }

    [Fact]
    public async Task OOMKilled_is_reported_with_the_memory_limit()
    {
        Server.Scripts.Default = PodScript.Start().Exit(137, reason: "OOMKilled");

        var result = await Bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image).Resources(limits: new(Memory: "64Mi")));

        Assert.True(result.State == RunState.Failed, result.ToString());
        Assert.Contains("exit code 137 (OOMKilled", result.Attempts["t"].Reason);
        Assert.Contains("64Mi", result.Attempts["t"].Reason);
    }

    [Fact]
    public async Task Eviction_and_the_deadline_are_reported_as_such()
    {
        Server.Scripts.For(p => p.Metadata.Labels["pipelines.task"] == "evicted" ? PodScript.Start().Evict("The node was low on resource: memory.") : null);
        Server.Scripts.For(p => p.Metadata.Labels["pipelines.task"] == "late" ? PodScript.Start().DeadlineExceeded() : null);

        var result = await Bed.RunAsync(dag =>
        {
            dag.Container("evicted", KubernetesTestBed.Image);
            dag.Container("late", KubernetesTestBed.Image).Timeout(TimeSpan.FromHours(1));
        });

        Assert.Equal("Evicted: The node was low on resource: memory.", result.Attempts["evicted"].Reason);
        Assert.StartsWith("DeadlineExceeded: the pod ran longer than its activeDeadlineSeconds (3600 s", result.Attempts["late"].Reason);
    }

    [Fact]
    public async Task A_pod_deleted_by_someone_else_fails_its_attempt_saying_so()
    {
        var gate = new PodGate();
        Server.Scripts.Default = PodScript.Start().Until(gate).Exit(0);
        var running = Server.WaitForPodAsync(p => p.Status?.Phase == "Running", Cancel);
        var run = Task.Run(() => Bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image)), Cancel);
        var pod = await running;

        Server.DeletePod(pod.Metadata.NamespaceProperty, pod.Metadata.Name);
        var result = await run;

        Assert.True(result.State == RunState.Failed, result.ToString());
        Assert.Contains("deleted by someone else", result.Attempts["t"].Reason);
    }

    [Fact]
    public async Task The_output_is_the_termination_message_absent_is_none_and_oversized_fails()
    {
        Server.Scripts.For(p => p.Metadata.Labels["pipelines.task"] == "none" ? PodScript.Start().Exit(0) : null);
        Server.Scripts.For(p => p.Metadata.Labels["pipelines.task"] == "big" ? PodScript.Start().Exit(0, "{\"x\": \"" + new string('y', 5000) + "\"}") : null);
        Server.Scripts.Default = PodScript.Start().Exit(0, """{"ok": true}""");

        var result = await Bed.RunAsync(dag =>
        {
            dag.Container("some", KubernetesTestBed.Image);
            dag.Container("none", KubernetesTestBed.Image);
            dag.Container("big", KubernetesTestBed.Image);
        });

        Assert.Equal("""{"ok": true}""", result.Attempts["some"].Output);
        Assert.Equal(AttemptState.Success, result.Attempts["none"].State);
        Assert.Null(result.Attempts["none"].Output);
        Assert.Equal(AttemptState.Failed, result.Attempts["big"].State);
        Assert.Contains("4096 bytes on every runtime", result.Attempts["big"].Reason);
    }

    [Fact]
    public async Task Cancelling_deletes_the_pod_with_the_tasks_grace_period()
    {
        Server.Scripts.Default = PodScript.Start().Log("ready").Until(new PodGate()).Exit(0);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var run = Bed.Plan(dag => dag.Container("t", KubernetesTestBed.Image).StopGracePeriod(TimeSpan.FromSeconds(7)));

        var result = await Bed.RunAsync(run, cancel.Token, (_, line) => { if (line == "ready") { cancel.Cancel(); } });

        Assert.Equal(RunState.Cancelled, result.State);
        var delete = Assert.Single(Server.Requests.All, r => r.Verb == "delete" && r.Resource == "pods");
        Assert.Equal(7, delete.GracePeriodSeconds);
        Assert.Empty(Server.Pods);
    }

    [Fact]
    public async Task A_task_past_its_timeout_has_its_pod_deleted_and_fails_as_timed_out()
    {
        Server.Scripts.Default = PodScript.Start().Log("working").Until(new PodGate()).Exit(0);

        var result = await Bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image).Timeout(TimeSpan.FromSeconds(1)).StopGracePeriod(TimeSpan.FromSeconds(2)));

        Assert.True(result.State == RunState.Failed, result.ToString());
        Assert.StartsWith("timed out after", result.Attempts["t"].Reason);
        Assert.Equal(2, Assert.Single(Server.Requests.All, r => r.Verb == "delete" && r.Resource == "pods").GracePeriodSeconds);
        Assert.Empty(Server.Pods);
    }

    [Theory]
    [InlineData(CleanupPolicy.Delete, 0, 0)]
    [InlineData(CleanupPolicy.Delete, 1, 0)]
    [InlineData(CleanupPolicy.DeleteOnSuccess, 0, 0)]
    [InlineData(CleanupPolicy.DeleteOnSuccess, 1, 1)]
    [InlineData(CleanupPolicy.Keep, 0, 1)]
    public async Task Pods_are_removed_as_the_cleanup_policy_says(CleanupPolicy policy, int exitCode, int podsLeft)
    {
        Server.Scripts.Default = PodScript.Start().Exit(exitCode);

        await Bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image).Cleanup(policy));

        Assert.Equal(podsLeft, Server.Pods.Count);
    }

    [Fact]
    public async Task A_sidecars_log_is_followed_on_request()
    {
        Server.Scripts.Default = PodScript.Start().LogTo("proxy", "proxy up").Log("task line").Exit(0);

        var result = await Bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image)
            .OnKubernetes(k => k.Sidecar(new k8s.Models.V1Container { Name = "proxy", Image = KubernetesTestBed.Image }).FollowLogs("proxy")));

        Assert.True(result.State == RunState.Success, result.ToString());
        Assert.Contains("[proxy] proxy up", result.Logs["t"]);
        Assert.Contains("task line", result.Logs["t"]);
    }

    [Fact]
    public async Task A_long_task_makes_no_more_requests_than_a_short_one()
    {
        // No hidden polling: every wait is on the watch, so how long a pod runs does not change how often the API is asked.
        Server.Scripts.For(p => p.Metadata.Labels["pipelines.task"] == "long" ? PodScript.Start().Log("x").Delay(TimeSpan.FromSeconds(10)).Exit(0) : null);
        Server.Scripts.Default = PodScript.Start().Log("x").Delay(TimeSpan.FromSeconds(0.1)).Exit(0);

        var shortRun = await Bed.RunAsync(dag => dag.Container("short", KubernetesTestBed.Image));
        var shortRequests = Server.Requests.Count();
        Server.Requests.Reset();
        var longRun = await Bed.RunAsync(dag => dag.Container("long", KubernetesTestBed.Image));
        var longRequests = Server.Requests.Count();

        Assert.True(shortRun.State == RunState.Success && longRun.State == RunState.Success, $"{shortRun}\n{longRun}");
        Assert.Equal(shortRequests, longRequests);
        Assert.True(longRequests <= 5, $"{longRequests} requests for one task: {string.Join(", ", Server.Requests.All.Select(r => $"{r.Verb} {r.Resource}"))}");
    }
}
