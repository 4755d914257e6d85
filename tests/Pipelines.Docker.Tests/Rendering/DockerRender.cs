using Pipelines.Docker.Rendering;
using Pipelines.Environments;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Docker.Tests.Rendering;

/// <summary>Builds a one-task DAG, resolves the attempt and renders it for Docker.</summary>
internal static class DockerRender
{
    public static readonly DateOnly Date = new(2026, 11, 25);

    public static ResolvedTask Attempt(Action<TaskBuilder> configure, EnvironmentConfig? environment = null, int tryNumber = 1)
    {
        var builder = new DagBuilder().Id("d").Schedule("@daily");
        configure(builder.Container("t", "registry.localhost/etl/runner:1.0.0"));
        var dag = builder.Build();
        var run = RunContext.Create(dag, Date, environment ?? EnvironmentConfig.DefaultLocal);
        return TaskResolver.Resolve(run, dag["t"], tryNumber);
    }

    public static DockerContainerSpec Container(Action<TaskBuilder> configure, out ImmutableArray<RenderDiagnostic> diagnostics, EnvironmentConfig? environment = null) =>
        new ContainerRenderer().RenderContainer(Attempt(configure, environment), out diagnostics);

    public static DockerContainerSpec Container(Action<TaskBuilder> configure, EnvironmentConfig? environment = null) =>
        Container(configure, out _, environment);

    public static RenderedSpec Spec(Action<TaskBuilder> configure, EnvironmentConfig? environment = null) =>
        new ContainerRenderer().Render(Attempt(configure, environment), "/nowhere");

    /// <summary>The root of the repository: the folder of Pipelines.sln, found by walking up.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipelines.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Pipelines.sln not found above " + AppContext.BaseDirectory);
    }
}
