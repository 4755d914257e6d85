using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using k8s;
using k8s.Models;
using Pipelines.Environments;
using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.Kubernetes.FakeApi;
using Pipelines.Kubernetes.Runtime;
using Pipelines.Secrets;

namespace Pipelines.Benchmarks;

/// <summary>A fake API server (Kestrel on loopback) and a Kubernetes runtime reaching it through a kubeconfig.</summary>
public abstract class KubernetesBenchmarkBase
{
    protected FakeKubernetesServer Server { get; private set; } = null!;

    protected string Folder { get; private set; } = null!;

    protected EnvironmentConfig Environment { get; private set; } = null!;

    protected KubernetesRuntime NewRuntime() =>
        new(KubernetesCluster.For(Environment, Folder), Folder, new SecretMasker(), Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)), TimeProvider.System);

    protected async Task StartServerAsync()
    {
        Server = await FakeKubernetesServer.StartAsync();
        Folder = Directory.CreateTempSubdirectory("pipelines-bench-k8s-").FullName;
        Environment = new EnvironmentConfig
        {
            Name = "bench",
            Runtime = "kubernetes",
            Kubernetes = new KubernetesEnvironment(ConfigFile: Server.WriteKubeconfig(Folder, "bench")),
        };
    }

    [GlobalCleanup]
    public async Task StopServer()
    {
        await Server.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }

    protected RunContext Plan(DagBuilder dag) => RunContext.Create(dag.Build(), new DateOnly(2026, 11, 25), Environment);
}

/// <summary>
/// How fast a pod's end becomes a task's end: from the fake API server emitting the pod's terminal status (its script's
/// gate opened: the fake kubelet writes the terminated status and publishes it to the watches) to the executor marking
/// the task succeeded (its observer told), with the runtime watching the run's pods and following the log. Its floor,
/// side by side: a bare watch of the same pod through the same client, woken by the same status.
/// </summary>
/// <remarks>
/// <para>dotnet run -c Release --project tests/Pipelines.Benchmarks -- --filter '*KubernetesTerminalLatency*'</para>
/// <para>
/// Each iteration makes a new pod and holds it running (iteration setup, not measured); the measured part opens its gate.
/// Left out: a real network and API server (the fake serves on loopback, the watch event goes out as soon as the status is
/// written; a real API server adds its etcd write and watch cache, the same for every client), the store's disk (in-memory
/// store), and the kubelet's own delay in reporting a container's exit (the same for every client). KubernetesPodOperator
/// polls the pod every 1–2 s, so its average from the status to seeing it is about 1 s on top of all that.
/// </para>
/// </remarks>
[MedianColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 30)]
public class KubernetesTerminalLatencyBenchmarks : KubernetesBenchmarkBase
{
    private PodGate _gate = null!;
    private TaskCompletionSource _done = null!;
    private Task _running = Task.CompletedTask;
    private CancellationTokenSource _stopWatch = new();
    private k8s.Kubernetes _client = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        await StartServerAsync();
        _client = Server.CreateClient();
    }

    [IterationSetup(Target = nameof(BareWatch))]
    public void HoldPodForWatch()
    {
        _running.GetAwaiter().GetResult();
        _gate = new PodGate();
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Server.Scripts.Default = PodScript.Start().Until(_gate).Exit(0);
        var name = "bare-" + Guid.NewGuid().ToString("N")[..8];
        var created = _client.CoreV1.CreateNamespacedPod(
            new V1Pod { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["bench"] = name } }, Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "base", Image = "busybox" }] } },
            "bench");
        var watching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _stopWatch = new CancellationTokenSource();
        _running = Task.Run(async () =>
        {
            try
            {
                await foreach (var (_, pod) in _client.CoreV1.WatchListNamespacedPodAsync("bench", labelSelector: $"bench={name}", resourceVersion: created.Metadata.ResourceVersion, cancellationToken: _stopWatch.Token))
                {
                    var state = pod.Status?.ContainerStatuses?.FirstOrDefault()?.State;
                    if (state?.Running is not null)
                    {
                        watching.TrySetResult();
                    }

                    if (state?.Terminated is not null)
                    {
                        _done.TrySetResult();
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        watching.Task.GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(ExecutorMarksDone))]
    public void HoldPodForRun()
    {
        _running.GetAwaiter().GetResult();
        _gate = new PodGate();
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Server.Scripts.Default = PodScript.Start().Log("running").Until(_gate).Exit(0);
        var dag = new DagBuilder().Id("latency_" + Guid.NewGuid().ToString("N")[..8]);
        dag.Container("t", "registry.localhost/bench/busybox:1");
        var observer = new Observer(_done);
        var before = Server.Requests.All.LastOrDefault()?.Sequence ?? 0;
        _running = new Executor(NewRuntime(), new InMemoryRunStore(), TimeProvider.System).RunAsync(Plan(dag), observer, CancellationToken.None);

        // Held until the runtime follows the running pod's log: from now on it waits on the watch alone.
        Server.Requests.WaitForAsync(r => r.Sequence > before && r.Resource == "pods/log", CancellationToken.None).GetAwaiter().GetResult();
        observer.Running.Task.GetAwaiter().GetResult();
    }

    /// <summary>The floor: a bare watch of the pod sees its terminated status.</summary>
    [Benchmark(Baseline = true)]
    public Task BareWatch()
    {
        _gate.Open();
        return _done.Task;
    }

    /// <summary>The runtime sees the status on its run's watch, ends the log, reads the result; the executor records the task as succeeded.</summary>
    [Benchmark]
    public Task ExecutorMarksDone()
    {
        _gate.Open();
        return _done.Task;
    }

    [IterationCleanup]
    public void EndIteration()
    {
        _running.GetAwaiter().GetResult();
        _stopWatch.Cancel();
    }

    private sealed class Observer(TaskCompletionSource done) : IRunObserver
    {
        public TaskCompletionSource Running { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void TaskChanged(string taskId, TaskState state, int tryNumber, string? reason)
        {
            if (state == TaskState.Success)
            {
                done.TrySetResult();
            }
        }

        public void Log(string taskId, int tryNumber, string line) => Running.TrySetResult();
    }
}

/// <summary>
/// 200 pods of one DAG at 50 slots against the fake API server: the wall time of the run (the executor with an in-memory
/// store, the runtime creating, watching, reading the log and deleting each pod), and, printed after the run, the requests
/// the server answered per pod. Its floor, side by side: the same 200 pods created, waited for (one watch) and deleted with
/// the bare client, 50 at a time — what any client must do.
/// </summary>
/// <remarks>
/// <para>dotnet run -c Release --project tests/Pipelines.Benchmarks -- --filter '*KubernetesFanOut*'</para>
/// <para>Left out: a real API server's and kubelet's own time (the fake starts and ends each pod at once) and the disk.</para>
/// </remarks>
[MedianColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class KubernetesFanOutBenchmarks : KubernetesBenchmarkBase
{
    private const int Pods = 200;
    private const int Slots = 50;
    private Dag _dag = null!;
    private k8s.Kubernetes _client = null!;
    private int _iteration;

    [GlobalSetup]
    public async Task Setup()
    {
        await StartServerAsync();
        _client = Server.CreateClient();
        Server.Scripts.Default = PodScript.Start().Log("done").Exit(0, "{}");
        var dag = new DagBuilder().Id("fan_out_200").MaxActiveTasks(Slots);
        for (var i = 0; i < Pods; i++)
        {
            dag.Container($"t{i:000}", "registry.localhost/bench/busybox:1");
        }

        _dag = dag.Build();
    }

    [IterationSetup]
    public void Reset() => Server.Requests.Reset();

    /// <summary>The floor: create, wait for the end on one watch, delete; 50 at a time, with the bare client.</summary>
    [Benchmark(Baseline = true)]
    public async Task BareClient()
    {
        var label = Guid.NewGuid().ToString("N")[..8];
        var ended = new Dictionary<string, TaskCompletionSource>();
        for (var i = 0; i < Pods; i++)
        {
            ended[$"bare-{label}-{i}"] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        using var stop = new CancellationTokenSource();
        var list = await _client.CoreV1.ListNamespacedPodAsync("bench", labelSelector: $"run={label}");
        var watch = Task.Run(async () =>
        {
            try
            {
                await foreach (var (_, pod) in _client.CoreV1.WatchListNamespacedPodAsync("bench", labelSelector: $"run={label}", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: stop.Token))
                {
                    if (pod.Status?.Phase is "Succeeded" or "Failed")
                    {
                        ended[pod.Metadata.Name].TrySetResult();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        await Parallel.ForEachAsync(ended, new ParallelOptions { MaxDegreeOfParallelism = Slots }, async (pod, ct) =>
        {
            await _client.CoreV1.CreateNamespacedPodAsync(
                new V1Pod { Metadata = new V1ObjectMeta { Name = pod.Key, Labels = new Dictionary<string, string> { ["run"] = label } }, Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "base", Image = "busybox" }] } },
                "bench", cancellationToken: ct);
            await pod.Value.Task;
            await _client.CoreV1.DeleteNamespacedPodAsync(pod.Key, "bench", gracePeriodSeconds: 0, cancellationToken: ct);
        });
        await stop.CancelAsync();
        await watch;
    }

    /// <summary>The DAG's 200 tasks on the Kubernetes runtime at 50 slots.</summary>
    [Benchmark]
    public async Task<RunOutcome> Runtime()
    {
        using var store = new InMemoryRunStore();
        var outcome = await new Executor(NewRuntime(), store, TimeProvider.System).RunAsync(RunContext.Create(_dag, new DateOnly(2026, 1, 1).AddDays(_iteration++), Environment), NullRunObserver.Instance, CancellationToken.None);
        return outcome.State == RunState.Success ? outcome : throw new InvalidOperationException($"the run ended {outcome.State}");
    }

    [IterationCleanup]
    public void Count()
    {
        var requests = Server.Requests.All;
        Console.WriteLine($"// requests: {requests.Count} for {Pods} pods ({(double)requests.Count / Pods:0.00} per pod): {string.Join(", ", requests.GroupBy(r => $"{r.Verb} {r.Resource}").Select(g => $"{g.Key} {g.Count()}"))}");
    }
}
