using System.Security.Cryptography;
using Pipelines.Environments;
using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.Kubernetes.FakeApi;
using Pipelines.Kubernetes.Runtime;
using Pipelines.RuntimeContract;
using Pipelines.Secrets;

namespace Pipelines.Kubernetes.Tests.Runtime;

/// <summary>
/// A Kubernetes runtime on an in-process fake API server (Kestrel on loopback), reached as a user reaches a cluster:
/// through a kubeconfig file and the official client. Each bed has a server, a kubeconfig and a run store id of its own.
/// </summary>
internal sealed class KubernetesTestBed : IAsyncDisposable
{
    /// <summary>The image the tests' pods name (the fake kubelet runs scripts, not images).</summary>
    public const string Image = "registry.localhost/contract/busybox:1";

    private KubernetesTestBed(FakeKubernetesServer server, string folder, string kubeconfig)
    {
        Server = server;
        Folder = folder;
        Kubeconfig = kubeconfig;
        Runtime = new KubernetesRuntime(KubernetesCluster.For(Environment, folder), folder, Masker, StoreId, TimeProvider.System);
    }

    public FakeKubernetesServer Server { get; }

    public string Folder { get; }

    public string Kubeconfig { get; }

    public string StoreId { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    public SecretMasker Masker { get; } = new();

    public KubernetesRuntime Runtime { get; }

    /// <summary>The environment: this bed's kubeconfig, its namespace.</summary>
    public EnvironmentConfig Environment => new() { Name = "cluster", Runtime = "kubernetes", Kubernetes = new KubernetesEnvironment(ConfigFile: Kubeconfig) };

    public static async Task<KubernetesTestBed> StartAsync(FakeServerOptions? options = null, bool execCredential = false)
    {
        var server = await FakeKubernetesServer.StartAsync(options, TestContext.Current.CancellationToken);
        var folder = Directory.CreateTempSubdirectory("pipelines-k8s-").FullName;
        var kubeconfig = server.WriteKubeconfig(folder, "pipelines-test", execCredential);
        return new KubernetesTestBed(server, folder, kubeconfig);
    }

    /// <summary>A run of a DAG that <paramref name="define"/> makes, on this bed's environment.</summary>
    public RunContext Plan(Action<DagBuilder> define, string? dagId = null)
    {
        var dag = new DagBuilder().Id(dagId ?? "k8s_" + Guid.NewGuid().ToString("N")[..10]).Schedule("@daily");
        define(dag);
        return RunContext.Create(dag.Build(), new DateOnly(2026, 11, 25), Environment);
    }

    /// <summary>Runs the DAG to its end with the executor and an in-memory store; each task's last attempt and its log.</summary>
    public async Task<RunResult> RunAsync(RunContext run, CancellationToken? cancel = null, Action<string, string>? onLine = null)
    {
        var lines = new RecordingObserver { OnLine = onLine };
        using var store = new InMemoryRunStore();
        var outcome = await new Executor(Runtime, store, TimeProvider.System, new ExecutorOptions { Masker = Masker })
            .RunAsync(run, lines, cancel ?? TestContext.Current.CancellationToken);
        var attempts = store.LoadAttempts(run.Dag.Id, run.RunId).GroupBy(a => a.TaskId).ToDictionary(g => g.Key, g => g.MaxBy(a => a.TryNumber)!);
        return new RunResult(outcome.State, attempts, lines.Logs());
    }

    public Task<RunResult> RunAsync(Action<DagBuilder> define) => RunAsync(Plan(define));

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }

    /// <summary>How a run ended: its state, each task's last attempt, each task's log.</summary>
    public sealed record RunResult(RunState State, IReadOnlyDictionary<string, AttemptRecord> Attempts, IReadOnlyDictionary<string, List<string>> Logs)
    {
        public override string ToString() =>
            $"{State}: " + string.Join("; ", Attempts.Values.Select(a => $"{a.TaskId} try {a.TryNumber} {a.State} exit {a.ExitCode} {a.Reason}"))
            + "\n" + string.Join("\n", Logs.Select(l => $"[{l.Key}] {string.Join(" | ", l.Value)}"));
    }
}
