using Pipelines.Kubernetes.Rendering;
using Pipelines.Rendering;

namespace Pipelines.Kubernetes.Tests.Rendering;

/// <summary>What <c>validate</c> asks of the Kubernetes target: the names the API server would refuse, before anything renders.</summary>
public sealed class DefinitionCheckTests
{
    private static ImmutableArray<RenderDiagnostic> Check(Action<TaskBuilder> configure)
    {
        var dag = new DagBuilder().Id("d").Param("name", "x");
        configure(dag.Container("t", "registry.localhost/etl/runner:1.0.0"));
        return new PodRenderer().CheckDefinition("d", dag.Build()["t"]);
    }

    [Fact]
    public void Secret_config_map_and_claim_names_kubernetes_refuses_are_errors_naming_task_and_field()
    {
        var errors = Check(t => t
            .SecretEnv("PASSWORD", new SecretRef("Db_Credentials", "password"))
            .EnvFromConfigMap("App_Config")
            .Mount(Volume.Named("Orders_Data"), "/data")
            .Mount(Volume.Secret("Tls_Certs"), "/tls")
            .Label("team", "data platform"));

        Assert.All(errors, e => Assert.Equal((DiagnosticSeverity.Error, "d", "t", "kubernetes"), (e.Severity, e.DagId, e.TaskId, e.Target)));
        Assert.Equal(
            ["labels.team", "secretEnv.PASSWORD.name", "envFrom[0].name", "mounts[0].volume.name", "mounts[1].volume.secretName"],
            errors.Select(e => e.Field));
        Assert.Contains("'Orders_Data' is not a PersistentVolumeClaim name", errors[3].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_kubernetes_accepts_give_nothing_and_warnings_are_left_to_render()
    {
        var errors = Check(t => t
            .SecretEnv("PASSWORD", new SecretRef("db-credentials", "password"))
            .Mount(Volume.Named(new string('a', 100) + "." + new string('b', 140)), "/data")
            .Mount(Volume.HostPath("/var/log"), "/logs"));

        Assert.Empty(errors);
    }

    [Fact]
    public void Templated_values_are_left_until_they_render()
    {
        var errors = Check(t => t
            .SecretEnv("PASSWORD", new SecretRef("<< params.name >>_Creds", "password"))
            .Mount(Volume.Named("<< params.name >>_Data"), "/data")
            .Mount(Volume.Temp("<< params.name >>"), "/scratch")
            .Label("run", "<< ds >> and more"));

        Assert.Empty(errors);
    }
}
