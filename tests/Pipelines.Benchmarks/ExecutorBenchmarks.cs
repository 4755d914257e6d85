using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Pipelines.Execution;

namespace Pipelines.Benchmarks;

/// <summary>
/// The executor issue's first figure: scheduler overhead with zero-length simulated tasks. A 10,000-task
/// layered DAG (width 100, fan-in 3) at 64 slots runs to its end in ≤ 0.2 s with an in-memory store
/// (≤ 20 µs per task) and in ≤ 2.5 s with the SQLite store. Each iteration runs the whole DAG with a
/// new runtime, executor and store, on the real clock (zero-length attempts never wait).
/// </summary>
/// <remarks>
/// dotnet run -c Release --project tests/Pipelines.Benchmarks -- --filter '*ExecutorBenchmarks*'
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(PerTaskConfig))]
public class ExecutorBenchmarks : ExecutorBenchmarkBase
{
    private RunContext _run = null!;
    private BenchmarkStore _store = null!;

    [Params(10_000)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _run = Plan(LayeredDag.Define(Tasks, width: 100, fanIn: 3).MaxActiveTasks(64));
    }

    // Both benchmarks have an iteration setup, so both run one invocation per iteration (a whole DAG
    // takes 0.1–1 s) in the same job, and the Ratio column compares them.
    [IterationSetup(Target = nameof(InMemoryStore))]
    public void CreateInMemoryStore() => _store = new BenchmarkStore("memory");

    [Benchmark(Baseline = true)]
    public Task<RunOutcome> InMemoryStore() => Succeeded(Simulated(_store.Store).RunAsync(_run));

    [IterationSetup(Target = nameof(SqliteStore))]
    public void CreateSqliteStore() => _store = new BenchmarkStore("sqlite");

    [Benchmark]
    public Task<RunOutcome> SqliteStore() => Succeeded(Simulated(_store.Store).RunAsync(_run));

    [IterationCleanup]
    public void DisposeStore() => _store.Dispose();
}

/// <summary>Adds a µs-per-task column (mean ÷ the <c>Tasks</c> parameter, with its 99.9% error).</summary>
public sealed class PerTaskConfig : ManualConfig
{
    public PerTaskConfig() => AddColumn(new PerTaskColumn());
}

/// <summary>Mean time per task in microseconds, ± the half-width of the 99.9% confidence interval.</summary>
public sealed class PerTaskColumn : IColumn
{
    public string Id => nameof(PerTaskColumn);

    public string ColumnName => "µs/task";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Mean ÷ Tasks, in microseconds, ± its 99.9% error";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null || benchmarkCase.Parameters["Tasks"] is not int tasks || tasks <= 0)
        {
            return "NA";
        }

        var mean = stats.Mean / 1_000.0 / tasks;
        var error = stats.ConfidenceInterval.Margin / 1_000.0 / tasks;
        return string.Create(CultureInfo.InvariantCulture, $"{mean:0.00} ± {error:0.00}");
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
