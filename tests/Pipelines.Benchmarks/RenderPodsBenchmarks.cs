using BenchmarkDotNet.Attributes;
using Pipelines.Environments;
using Pipelines.Kubernetes;
using Pipelines.Kubernetes.Rendering;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Benchmarks;

/// <summary>
/// Issue 3's figure: render 10,000 pods, each task with 5 template expressions, YAML serialisation
/// included (≤ 1 s).
/// </summary>
[MemoryDiagnoser]
public class RenderPodsBenchmarks
{
    private RunContext _run = null!;
    private readonly PodRenderer _renderer = new();

    [Params(10_000)]
    public int Pods { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var dag = new DagBuilder().Id("render_bench").Schedule("@daily").Param("table", "orders").Param("memory", "1Gi");
        for (var i = 0; i < Pods; i++)
        {
            dag.Container($"task_{i}", "registry.localhost/etl/runner:1.0")
                .Command("python", "-m", "etl")
                .Args("--table", "<< params.table >>", "--date", "<< ds >>", "--until", "<< ds_add(ds, 1) >>")
                .Env("TARGET", "<< var.target ?? \"warehouse\" >>")
                .Env("LOG_LEVEL", "INFO")
                .Resources(requests: new(Cpu: "250m", Memory: "<< params.memory >>"), limits: new(Cpu: "1", Memory: "2Gi"))
                .Label("team", "data");
        }

        _run = RunContext.Create(dag.Build(), new DateOnly(2026, 11, 25), EnvironmentConfig.DefaultLocal);
    }

    [Benchmark]
    public long RenderAllPodsToYaml()
    {
        long bytes = 0;
        foreach (var task in _run.Dag.Tasks)
        {
            bytes += _renderer.Render(TaskResolver.Resolve(_run, task), ".").ToYaml().Length;
        }

        return bytes;
    }
}
