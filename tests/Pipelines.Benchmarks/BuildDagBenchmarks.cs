using BenchmarkDotNet.Attributes;

namespace Pipelines.Benchmarks;

/// <summary>
/// Issue 2's figure: define, build and validate a 100,000-task layered DAG where every task past
/// the first layer depends on 3 tasks of the layer before (≤ 1 s, ≤ 300 MB allocated).
/// </summary>
[MemoryDiagnoser]
public class BuildDagBenchmarks
{
    [Params(100_000)]
    public int Tasks { get; set; }

    [Benchmark]
    public Dag BuildLayeredDag() => LayeredDag.Define(Tasks, width: 1_000, fanIn: 3).Build();
}

/// <summary>A layered DAG like a real fan-out/fan-in pipeline, deterministic for a given size.</summary>
public static class LayeredDag
{
    public static DagBuilder Define(int tasks, int width, int fanIn)
    {
        var dag = new DagBuilder().Id("layered").Schedule("@daily").Param("table", "orders")
            .TaskDefaults(t => t.Retries(2).Env("LOG_LEVEL", "INFO"));
        var previous = new List<TaskBuilder>(width);
        var current = new List<TaskBuilder>(width);
        var random = new Random(42);
        for (var i = 0; i < tasks; i++)
        {
            var task = dag.Container($"task_{i}", "registry.localhost/etl/runner:1.0")
                .Command("run", "--table", "<< params.table >>", "--date", "<< ds >>");
            if (previous.Count > 0)
            {
                for (var f = 0; f < fanIn; f++)
                {
                    task.DependsOn(previous[random.Next(previous.Count)]);
                }
            }

            current.Add(task);
            if (current.Count == width)
            {
                (previous, current) = (current, previous);
                current.Clear();
            }
        }

        return dag;
    }
}
