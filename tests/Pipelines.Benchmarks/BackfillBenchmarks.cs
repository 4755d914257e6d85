using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Pipelines.Execution;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Hosting;
using Pipelines.Hosting.Catalog;
using Pipelines.Rendering;
using Pipelines.Testing;

namespace Pipelines.Benchmarks;

/// <summary>
/// <c>backfill</c> of 30 daily runs of a 5-task DAG (a chain of zero-length simulated tasks) with the SQLite run store,
/// through the host as a user calls it (<c>PipelineHost.RunAsync</c>: argument parsing, the probe, preflight, a store and
/// a runtime per run, every transition committed), one run at a time and 16 at once, side by side with its floor: the
/// executor alone running the same 30 runs one after another on one store. The difference per run is what the host adds.
/// </summary>
/// <remarks>
/// <para>dotnet run -c Release --project tests/Pipelines.Benchmarks -- --filter '*BackfillBenchmarks*'</para>
/// <para>Left out: a real runtime (tasks are simulated and take no time), the host program's own start, and the output,
/// which goes to a discarded writer.</para>
/// </remarks>
[MedianColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class BackfillBenchmarks
{
    private const int Days = 30;
    private string _folder = null!;
    private Dag _dag = null!;
    private int _iteration;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("pipelines-bench-backfill-").FullName;
        var dag = new DagBuilder();
        new FiveTasks().Define(dag);
        _dag = dag.Build();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    /// <summary>The floor: the executor alone, the 30 runs one after another on one store.</summary>
    [Benchmark(Baseline = true)]
    public async Task ExecutorAlone()
    {
        using var store = new SqliteRunStore(NewStatePath());
        var executor = new Executor(new SimulatedRuntime(TimeProvider.System), store, TimeProvider.System);
        for (var day = 0; day < Days; day++)
        {
            var run = RunContext.Create(_dag, new DateOnly(2026, 11, 1).AddDays(day), Environments.EnvironmentConfig.DefaultLocal, runKind: "backfill");
            if ((await executor.RunAsync(run, NullRunObserver.Instance, CancellationToken.None)).State != RunState.Success)
            {
                throw new InvalidOperationException("a run failed");
            }
        }
    }

    /// <summary><c>backfill five_tasks --from 2026-11-01 --to 2026-11-30 --max-active-runs 1</c>.</summary>
    [Benchmark]
    public Task<int> BackfillOneAtATime() => BackfillAsync(1);

    /// <summary>The same at 16 runs at once.</summary>
    [Benchmark]
    public Task<int> BackfillSixteenAtOnce() => BackfillAsync(16);

    private async Task<int> BackfillAsync(int runs)
    {
        var exit = await PipelineHost.RunAsync(
            ["backfill", "five_tasks", "--from", "2026-11-01", "--to", "2026-11-30", "--max-active-runs", runs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--runtime", "simulated", "--state", NewStatePath()],
            PipelineCatalog.FromPipelines([new FiveTasks()]),
            new PipelineHostOptions { Out = TextWriter.Null, Error = TextWriter.Null, WorkingDirectory = _folder, GetEnvironmentVariable = _ => null, Runtimes = [new SimulatedProvider()] });
        return exit == 0 ? exit : throw new InvalidOperationException($"backfill exited {exit}");
    }

    private string NewStatePath() => Path.Combine(_folder, $"state-{_iteration++}.db");

    /// <summary>generate → validate → two aggregations → report, as the example's shape.</summary>
    public sealed class FiveTasks : IPipeline
    {
        public void Define(DagBuilder dag)
        {
            dag.Id("five_tasks").Schedule("@daily").StartDate(2026, 11, 1);
            var generate = dag.Container("generate", "img");
            var validate = dag.Container("validate", "img");
            var byRegion = dag.Container("by_region", "img");
            var byCustomer = dag.Container("by_customer", "img");
            var report = dag.Container("report", "img");
            generate.Then(validate).Then(byRegion, byCustomer).Then(report);
        }
    }

    private sealed class SimulatedProvider : IRuntimeProvider
    {
        public string Name => "simulated";

        public ISpecRenderer? Renderer => null;

        public bool Automatic => false;

        public ValueTask<RuntimeProbe> ProbeAsync(RunContext run, string projectRoot, CancellationToken cancellationToken) =>
            ValueTask.FromResult(RuntimeProbe.Ready("simulated: attempts end at once"));

        public IContainerRuntime Create(RuntimeSetup setup) => new SimulatedRuntime(setup.Time);
    }
}
