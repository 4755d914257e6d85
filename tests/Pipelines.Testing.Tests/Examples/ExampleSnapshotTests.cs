using Pipelines.Docker;
using Pipelines.Docker.Rendering;
using Pipelines.Environments;
using Pipelines.Examples;
using Pipelines.Kubernetes;
using Pipelines.Kubernetes.Rendering;
using Pipelines.Rendering;

namespace Pipelines.Testing.Tests.Examples;

/// <summary>
/// Every example task as each target receives it on 2026-11-25 in the local environment, kept as
/// reviewed snapshots in <c>snapshots/</c> — the way a user snapshot-tests their own pipelines.
/// </summary>
public sealed class ExampleSnapshotTests
{
    private static readonly DateOnly Date = new(2026, 11, 25);

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var dag in ExampleDags.All)
        {
            foreach (var task in dag.Tasks)
            {
                data.Add(dag.Id, task.Id, "kubernetes");
                data.Add(dag.Id, task.Id, "docker");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Example_task_renders_as_its_snapshot(string dagId, string taskId, string target)
    {
        var dag = ExampleDags.All.Single(d => d.Id == dagId);
        ISpecRenderer renderer = target == "kubernetes" ? new PodRenderer() : new ContainerRenderer();

        var yaml = PipelineSnapshot.RenderTask(dag, taskId, Date, renderer, ExampleDags.Local, ExampleDags.Root);

        Snapshot.Match(yaml, $"snapshots/{dagId}.{taskId}.{target}");
    }
}

/// <summary>The example pipelines, built once, with the repository's environments.</summary>
internal static class ExampleDags
{
    public static readonly string Root = FindRoot();

    public static readonly PipelinesConfig Config = PipelinesConfig.Load(Root);

    public static readonly EnvironmentConfig Local = Config.SelectEnvironment("local", _ => null);

    public static readonly ImmutableArray<Dag> All = [Build(new CustomersEtl()), Build(new PortablePipeline()), Build(new OrdersDaily())];

    private static Dag Build(IPipeline pipeline)
    {
        var builder = new DagBuilder();
        pipeline.Define(builder);
        return builder.Build();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipelines.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("No Pipelines.sln above the test folder.");
    }
}
