using BenchmarkDotNet.Attributes;
using Pipelines.Execution;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Resolution;

namespace Pipelines.Benchmarks;

/// <summary>
/// Where the executor's per-task cost goes beyond the executor issue's figures: each case pairs a run with the
/// same run minus one cost, zero-length simulated tasks on the real clock. Not issue figures; they
/// show the size of the problems reported with the executor benchmarks and check their fixes.
/// </summary>
/// <remarks>
/// The per-attempt handle commit: the executor's attempt sink commits a batch of its own for
/// every attempt start (one SQLite transaction per task), on the scheduling loop for runtimes that
/// report the start synchronously. <c>WithoutStartCommit</c> hides the start report from the executor:
/// what deferring that write to the loop's next batch would save at most.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(PerTaskConfig))]
public class ExecutorStartCommitBenchmarks : ExecutorBenchmarkBase
{
    private RunContext _run = null!;
    private BenchmarkStore _store = null!;

    [Params(10_000)]
    public int Tasks { get; set; }

    [Params("memory", "sqlite")]
    public string Store { get; set; } = "memory";

    [GlobalSetup]
    public void Setup()
    {
        _run = Plan(LayeredDag.Define(Tasks, width: 100, fanIn: 3).MaxActiveTasks(64));
    }

    [IterationSetup]
    public void CreateStore() => _store = new BenchmarkStore(Store);

    [Benchmark(Baseline = true)]
    public Task<RunOutcome> WithStartCommit() => Succeeded(Simulated(_store.Store).RunAsync(_run));

    [Benchmark]
    public Task<RunOutcome> WithoutStartCommit() =>
        Succeeded(Simulated(_store.Store, wrap: runtime => new SilentStartRuntime(runtime)).RunAsync(_run));

    [IterationCleanup]
    public void DisposeStore() => _store.Dispose();
}

/// <summary>
/// Pools: N independent zero-length tasks in one pool of 4 slots under 64 max active tasks, against
/// the same tasks with no pool under 4 max active tasks (the same concurrency). Each scheduling step
/// dequeues every ready task the full pool blocks and enqueues it again, so the pooled run grows as
/// N² (compare the two Tasks values).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PerTaskConfig))]
public class ExecutorPoolBenchmarks : ExecutorBenchmarkBase
{
    private RunContext _pooled = null!;
    private RunContext _plain = null!;

    [Params(2_000, 8_000)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _pooled = Independent(Tasks, pool: "p");
        _plain = Independent(Tasks, pool: null);
    }

    [Benchmark(Baseline = true)]
    public Task<RunOutcome> NoPool4Slots() =>
        Succeeded(Simulated(new InMemoryRunStore(), new ExecutorOptions { MaxActiveTasks = 4 }).RunAsync(_plain));

    [Benchmark]
    public Task<RunOutcome> Pool4Slots() =>
        Succeeded(Simulated(new InMemoryRunStore(), new ExecutorOptions { MaxActiveTasks = 64, Pools = new Dictionary<string, int> { ["p"] = 4 } })
            .RunAsync(_pooled));

    private static RunContext Independent(int tasks, string? pool)
    {
        var dag = new DagBuilder().Id("independent").Schedule("@daily").Param("table", "orders");
        for (var i = 0; i < tasks; i++)
        {
            var task = dag.Container($"task_{i}", "registry.localhost/etl/runner:1.0")
                .Command("run", "--table", "<< params.table >>", "--date", "<< ds >>");
            if (pool is not null)
            {
                task.Pool(pool);
            }
        }

        return Plan(dag);
    }
}

/// <summary>
/// Wide joins: N independent zero-length tasks and one task that depends on all of them, against the
/// same N tasks and one unconnected task. Each upstream that settles re-counts every upstream of the
/// join, so the join costs N² state reads (compare the two Upstream values).
/// </summary>
[MemoryDiagnoser]
public class ExecutorJoinBenchmarks : ExecutorBenchmarkBase
{
    private RunContext _join = null!;
    private RunContext _plain = null!;

    [Params(5_000, 20_000)]
    public int Upstream { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _join = Fan(Upstream, join: true);
        _plain = Fan(Upstream, join: false);
    }

    [Benchmark(Baseline = true)]
    public Task<RunOutcome> NoJoin() => Succeeded(Simulated(new InMemoryRunStore()).RunAsync(_plain));

    [Benchmark]
    public Task<RunOutcome> JoinOnAll() => Succeeded(Simulated(new InMemoryRunStore()).RunAsync(_join));

    private static RunContext Fan(int upstream, bool join)
    {
        var dag = new DagBuilder().Id("fan").Schedule("@daily").MaxActiveTasks(64);
        var tasks = new TaskBuilder[upstream];
        for (var i = 0; i < upstream; i++)
        {
            tasks[i] = dag.Container($"task_{i}", "registry.localhost/etl/runner:1.0").Command("run");
        }

        var last = dag.Container("join", "registry.localhost/etl/runner:1.0").Command("run");
        if (join)
        {
            last.DependsOn(tasks);
        }

        return Plan(dag);
    }
}

/// <summary>A runtime that runs attempts on another but never reports their start to the executor.</summary>
internal sealed class SilentStartRuntime(IContainerRuntime inner) : IContainerRuntime
{
    public string Name => inner.Name;

    public async ValueTask<IRuntimeSession> OpenAsync(RunContext run, CancellationToken cancellationToken) =>
        new Session(await inner.OpenAsync(run, cancellationToken).ConfigureAwait(false));

    private sealed class Session(IRuntimeSession inner) : IRuntimeSession
    {
        public Task<AttemptResult> RunAsync(ResolvedTask attempt, IAttemptSink sink, CancellationToken cancellationToken) =>
            inner.RunAsync(attempt, new LogsOnly(sink), cancellationToken);

        public Task<AttemptResult?> AdoptAsync(ResolvedTask attempt, string? handle, LogCursor? resumeAfter, IAttemptSink sink, CancellationToken cancellationToken) =>
            inner.AdoptAsync(attempt, handle, resumeAfter, new LogsOnly(sink), cancellationToken);

        public Task<IReadOnlyList<Leftover>> FindLeftoversAsync(CancellationToken cancellationToken) => inner.FindLeftoversAsync(cancellationToken);

        public Task ForgetAsync(AttemptKey attempt) => inner.ForgetAsync(attempt);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class LogsOnly(IAttemptSink sink) : IAttemptSink
    {
        public ValueTask StartedAsync(string handle) => ValueTask.CompletedTask;

        public void Log(in LogLine line) => sink.Log(line);
    }
}
