using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.Hosting.Reports;

namespace Pipelines.Benchmarks;

/// <summary>
/// The run report of a 5,000-task run (a layered DAG, 50 wide, fan-in 3; every task succeeded in one try with a
/// 40-line log tail and a small output): the whole page — layered layout, graph SVG, Gantt chart, task sections — as
/// <c>report</c> writes it, beside its floor, the graph SVG alone (what <c>graph --format svg</c> writes).
/// </summary>
/// <remarks>
/// <para>dotnet run -c Release --project tests/Pipelines.Benchmarks -- --filter '*RunReportBenchmarks*'</para>
/// <para>Left out: reading the run store and the log files (the records and log tails are made in memory) and writing the
/// file.</para>
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class RunReportBenchmarks
{
    private const int Tasks = 5_000;
    private Dag _dag = null!;
    private DagRunRecord _run = null!;
    private List<TaskInstanceRecord> _tasks = null!;
    private List<AttemptRecord> _attempts = null!;
    private IReadOnlyList<string> _tail = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dag = LayeredDag.Define(Tasks, width: 50, fanIn: 3).Build();
        var start = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
        _run = new DagRunRecord(_dag.Id, "manual__2026-11-25T00:00:00+00:00", start, RunState.Success, "local", "process", "{}", start, start.AddMinutes(30));
        _tasks = [.. _dag.TopologicalOrder.Select((id, i) => new TaskInstanceRecord(id, TaskState.Success, 1, null, start.AddSeconds(i)))];
        _attempts = [.. _dag.TopologicalOrder.Select((id, i) => new AttemptRecord(id, 1, AttemptState.Success, start.AddSeconds(i * 0.3), start.AddSeconds((i * 0.3) + 2), 0, null, $$"""{"rows": {{i}}}""", null, null))];
        _tail = [.. Enumerable.Range(0, RunReport.LogTail).Select(i => $"line {i} of the task's log, as long as a typical log line is")];
    }

    /// <summary>The floor: the graph alone.</summary>
    [Benchmark(Baseline = true)]
    public int GraphSvgAlone() => GraphSvg.Render(_dag).Length;

    /// <summary>The whole report page.</summary>
    [Benchmark]
    public int WholeReport() => RunReport.Render(_dag, _run, _tasks, _attempts, _ => _tail).Length;
}
