using System.Collections.Concurrent;
using k8s.Models;
using Pipelines.Attempts;
using Pipelines.Kubernetes.FakeApi;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// The host on the Kubernetes runtime as a user runs it, as a child process, against the in-process fake API server
/// reached through a kubeconfig: the example DAG end to end with outputs passed through termination messages, a host
/// SIGKILLed mid-run whose rerun adopts its pods without making one twice, and orphans and clean for pods.
/// </summary>
public sealed class KubernetesHostTests : IAsyncLifetime
{
    private const string Date = "2026-11-25";
    private readonly ConcurrentDictionary<string, V1Pod> _created = new(StringComparer.Ordinal);
    private readonly PodGate _reportGate = new();
    private FakeKubernetesServer? _server;
    private ProjectFolder? _project;

    private FakeKubernetesServer Server => _server ?? throw new InvalidOperationException("not started");

    private ProjectFolder Project => _project ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartAsync(ct: TestContext.Current.CancellationToken);
        _project = new ProjectFolder("""
            { "environments": { "local": { "runtime": "kubernetes", "kubernetes": { "configFile": "kubeconfig", "namespace": "orders" } } } }
            """);
        _server.WriteKubeconfig(_project.Path, "orders");
        _server.Scripts.For(pod =>
        {
            var task = pod.Metadata.Labels[AttemptNames.TaskLabel];
            _created[task] = pod;
            return task switch
            {
                "generate_orders" => PodScript.Start().Log("generated 240 orders for 2026-11-25").Exit(0, """{"rows": 240}"""),
                "validate_orders" => PodScript.Start().Log("240 rows valid, total 60123").Exit(0, """{"rows": 240, "total": 60123}"""),
                "report" => PodScript.Start().Log("report holding").Until(_reportGate).Log("Orders report for 2026-11-25").Exit(0),
                _ => PodScript.Start().Log($"{task} done").Exit(0),
            };
        });
    }

    public async ValueTask DisposeAsync()
    {
        _project?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Orders_daily_runs_on_kubernetes_with_outputs_passed_through_termination_messages()
    {
        _reportGate.Open();

        var result = await Project.RunAsync(HostProcess.ExamplesHost, "run", "orders_daily", "--date", Date, "--runtime", "kubernetes", "--plain");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Orders report for 2026-11-25", result.Stdout);
        Assert.Contains("orders_daily manual__2026-11-25T00:00:00+00:00: success (5 success)", result.Stdout);
        var reportScript = string.Join("\n", _created["report"].Spec.Containers[0].Command.Concat(_created["report"].Spec.Containers[0].Args ?? []));
        Assert.Contains("rows: 240", reportScript); // validate_orders' output, read from its termination message
        Assert.Contains("total: 60123", reportScript);
        Assert.Equal(5, Server.Requests.Count("create", "pods"));
        Assert.Empty(Server.Pods); // Delete, the default cleanup policy
    }

    [Fact]
    public async Task A_host_killed_mid_run_adopts_its_pods_and_makes_none_twice()
    {
        using (var host = Project.Start(HostProcess.ExamplesHost, "run", "orders_daily", "--date", Date, "--runtime", "kubernetes", "--plain"))
        {
            host.WaitForLine("report holding");
            host.Crash();
        }

        var killedAt = Server.Requests.All.Max(r => r.Sequence);
        var resumed = Project.Start(HostProcess.ExamplesHost, "run", "orders_daily", "--date", Date, "--runtime", "kubernetes", "--plain");
        using (resumed)
        {
            // The report's pod is still running: the new host must watch it again before it is let go.
            await Server.Requests.WaitForAsync(r => r.Sequence > killedAt && r.Verb == "watch" && r.Resource == "pods", TestContext.Current.CancellationToken);
            _reportGate.Open();
            var result = await resumed.WaitForExitAsync();

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("Orders report for 2026-11-25", result.Stdout);
            Assert.Contains("success (5 success)", result.Stdout);
        }

        var creates = Server.Requests.All.Where(r => r.Verb == "create" && r.Resource == "pods").ToList();
        Assert.Equal(5, creates.Count);
        Assert.Equal(5, _created.Count); // one pod per task
        Assert.All(_created.Values, pod => Assert.Equal(1, Server.CreatedCount(pod.Metadata.Name)));
        Assert.Empty(Server.Pods);
    }

    [Fact]
    public async Task SIGTERM_deletes_the_running_pod_and_exits_143()
    {
        using var host = Project.Start(HostProcess.ExamplesHost, "run", "orders_daily", "--date", Date, "--runtime", "kubernetes", "--plain");
        host.WaitForLine("report holding");

        host.Signal(15);
        var result = await host.WaitForExitAsync();

        Assert.True(result.ExitCode == 143, result.ToString());
        var stop = Server.Requests.All.First(r => r.Verb == "delete" && r.Resource == "pods" && r.Name == _created["report"].Metadata.Name);
        Assert.Equal(30, stop.GracePeriodSeconds); // the task sets no stop grace: the pod's own, Kubernetes' default
        Assert.Empty(Server.Pods);
    }

    [Fact]
    public async Task Orphans_are_the_pods_no_live_run_owns_and_clean_deletes_them()
    {
        HostResult whileLive;
        using (var host = Project.Start(HostProcess.ExamplesHost, "run", "orders_daily", "--date", Date, "--runtime", "kubernetes", "--plain"))
        {
            host.WaitForLine("report holding");
            whileLive = await Project.RunAsync(HostProcess.ExamplesHost, "runs", "orders_daily", "--orphans");
            host.Crash();
        }

        var held = Assert.Single(Server.Pods);
        var orphans = await Project.RunAsync(HostProcess.ExamplesHost, "runs", "orders_daily", "--orphans");
        var clean = await Project.RunAsync(HostProcess.ExamplesHost, "clean", "orders_daily");
        var after = await Project.RunAsync(HostProcess.ExamplesHost, "runs", "orders_daily", "--orphans");

        Assert.True(whileLive.ExitCode == 0, whileLive.ToString());
        Assert.StartsWith("No pods of 'orders_daily' are left at namespace 'orders'", whileLive.Stdout);
        Assert.True(orphans.ExitCode == 0, orphans.ToString());
        Assert.Contains("Pods of 'orders_daily' that no live run owns ('clean orders_daily' removes them):", orphans.Stdout);
        Assert.Matches($@"{held.Metadata.Name}\s+Running\s+orders_daily/manual__2026-11-25T00:00:00\+00:00/report/1", orphans.Stdout);
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Contains($"removed {held.Metadata.Name} (Running, orders_daily/manual__2026-11-25T00:00:00+00:00/report/1)", clean.Stdout);
        Assert.StartsWith("No pods of 'orders_daily' are left", after.Stdout);
        Assert.Empty(Server.Pods);
    }
}
