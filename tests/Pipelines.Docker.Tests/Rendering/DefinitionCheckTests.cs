using Pipelines.Docker.Rendering;
using Pipelines.Rendering;

namespace Pipelines.Docker.Tests.Rendering;

/// <summary>What <c>validate</c> asks of the Docker target (auto and docker environments), before anything renders.</summary>
public sealed class DefinitionCheckTests
{
    private static ImmutableArray<RenderDiagnostic> Check(Action<TaskBuilder> configure)
    {
        var dag = new DagBuilder().Id("d").Param("name", "x");
        configure(dag.Container("t", "registry.localhost/etl/runner:1.0.0"));
        return new ContainerRenderer().CheckDefinition("d", dag.Build()["t"]);
    }

    [Fact]
    public void A_volume_name_docker_refuses_is_an_error_naming_task_and_field()
    {
        var error = Assert.Single(Check(t => t.Mount(Volume.Named("Orders_Data"), "/data").Mount(Volume.Named("x"), "/x")));

        Assert.Equal(
            new RenderDiagnostic(DiagnosticSeverity.Error, "d", "t", "docker", "mounts[1].volume.name",
                "'x' is not a Docker volume name; use letters, digits, '_', '.' and '-', starting with a letter or digit (two characters or more)"),
            error);
    }

    [Fact]
    public void Kubernetes_names_warnings_and_templated_values_give_nothing()
    {
        var errors = Check(t => t
            .SecretEnv("PASSWORD", new SecretRef("Db_Credentials", "password"))
            .EnvFromConfigMap("app-config")
            .Mount(Volume.Named("<< params.name >>"), "/data")
            .Resources(limits: new(Memory: "<< params.name >>")));

        Assert.Empty(errors);
    }
}
