using BenchmarkDotNet.Attributes;
using Pipelines.Hosting.Reports;

namespace Pipelines.Benchmarks;

/// <summary>
/// <c>graph --format svg</c> on large DAGs: lay out (layers, dummies, barycenter sweeps, coordinates) and render a layered
/// DAG of 500 and 5,000 tasks where every task past the first layer depends on 3 tasks of the layer before.
/// </summary>
[MemoryDiagnoser]
public class GraphLayoutBenchmarks
{
    private Dag _dag = null!;

    [Params(500, 5_000)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup() => _dag = LayeredDag.Define(Tasks, width: 50, fanIn: 3).Build();

    [Benchmark]
    public double Layout() => GraphLayout.Of(_dag).Height; // GraphLayout is internal: a public benchmark returns a figure of it

    [Benchmark]
    public string RenderSvg() => GraphSvg.Render(_dag);
}
