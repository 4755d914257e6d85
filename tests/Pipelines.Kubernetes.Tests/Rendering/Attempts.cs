using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Pipelines.Environments;
using Pipelines.Kubernetes.Rendering;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Kubernetes.Tests.Rendering;

/// <summary>Builds one-task DAGs and renders their attempts as pods.</summary>
internal static class Attempts
{
    public static readonly EnvironmentConfig Production = new()
    {
        Name = "production",
        Runtime = "kubernetes",
        Kubernetes = new KubernetesEnvironment(Namespace: "airflow-production"),
    };

    /// <summary>The folder that holds <c>Pipelines.sln</c>.</summary>
    public static string RepoRoot { get; } = Pipelines.Tests.Shared.RepositoryRoot.Path;

    public static ResolvedTask Attempt(Action<TaskBuilder> configure, string dagId = "d", string taskId = "t", int tryNumber = 1, EnvironmentConfig? environment = null)
    {
        var builder = new DagBuilder().Id(dagId);
        configure(builder.Container(taskId, "registry.localhost/etl/runner:1.0.0"));
        var dag = builder.Build();
        var run = RunContext.Create(dag, new DateOnly(2026, 11, 25), environment ?? Production);
        return TaskResolver.Resolve(run, dag[taskId], tryNumber);
    }

    public static RenderedSpec Render(Action<TaskBuilder> configure, string? projectRoot = null, string dagId = "d", string taskId = "t", int tryNumber = 1, EnvironmentConfig? environment = null) =>
        new PodRenderer().Render(Attempt(configure, dagId, taskId, tryNumber, environment), projectRoot ?? RepoRoot);

    /// <summary>Renders and reads the spec back as a typed pod.</summary>
    public static V1Pod Pod(Action<TaskBuilder> configure, string? projectRoot = null) =>
        ToPod(Render(configure, projectRoot).Spec);

    public static V1Pod ToPod(JsonObject spec) => KubernetesJson.Deserialize<V1Pod>(spec.ToJsonString());

    public static V1Container Base(this V1Pod pod) => pod.Spec.Containers[0];

    /// <summary>Writes <paramref name="yaml"/> to a pod template file in a fresh folder; returns the folder.</summary>
    public static string TemplateProject(string yaml, string file = "pod.yaml")
    {
        var root = Directory.CreateTempSubdirectory("pipelines-k8s-").FullName;
        File.WriteAllText(Path.Combine(root, file), yaml);
        return root;
    }
}
