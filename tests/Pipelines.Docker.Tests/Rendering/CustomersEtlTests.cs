using Pipelines.Docker.Rendering;
using Pipelines.Environments;
using Pipelines.Examples;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Docker.Tests.Rendering;

/// <summary>The seed's DockerOperator example, as <c>pipelines/CustomersEtl.cs</c> defines it, rendered for the local environment.</summary>
public sealed class CustomersEtlTests
{
    private static (DockerContainerSpec Container, RenderedSpec Spec) RenderExtract()
    {
        var builder = new DagBuilder();
        new CustomersEtl().Define(builder);
        var dag = builder.Build();
        var environment = PipelinesConfig.Load(DockerRender.RepositoryRoot()).SelectEnvironment("local", _ => null);
        var run = RunContext.Create(dag, DockerRender.Date, environment);
        var attempt = TaskResolver.Resolve(run, dag["extract_customers"]);
        var renderer = new ContainerRenderer();
        return (renderer.RenderContainer(attempt, out _), renderer.Render(attempt, DockerRender.RepositoryRoot()));
    }

    [Fact]
    public void Extract_customers_joins_edge_with_a_tty_and_the_patched_capability()
    {
        var create = RenderExtract().Container.Create;

        Assert.Equal("edge", create.HostConfig!.NetworkMode);
        Assert.True(create.Tty);
        Assert.Equal(["NET_BIND_SERVICE", "SYS_PTRACE"], create.HostConfig.CapAdd);
        Assert.Equal(["ALL"], create.HostConfig.CapDrop);
        Assert.False(create.HostConfig.Privileged);
        Assert.False(create.HostConfig.AutoRemove);
    }

    [Fact]
    public void Extract_customers_mounts_its_volumes_and_the_output_volume()
    {
        var (container, _) = RenderExtract();

        Assert.Equal(
            [
                ("volume", "airflow-shared-pvc", "/shared"),
                ("tmpfs", "", "/tmp"),
                ("volume", "airflow-logs", "/airflow/logs"),
                ("volume", container.Name + "-output", "/pipelines"),
            ],
            container.Create.HostConfig!.Mounts!.Select(m => (m.Type, m.Source ?? "", m.Target)));
        Assert.Equal(["airflow-shared-pvc", "airflow-logs", container.Name + "-output"], container.Volumes.Select(v => v.Name));
    }

    [Fact]
    public void Extract_customers_runs_the_seed_command_as_its_user_with_its_resources()
    {
        var create = RenderExtract().Container.Create;

        Assert.Equal("registry.localhost/etl/postgres-runner:0.1.0", create.Image);
        Assert.Equal(["python", "-m", "datakit.extract"], create.Entrypoint);
        Assert.Equal(["--table", "customers", "--date", "2026-11-25"], create.Cmd);
        Assert.Equal("1000:1000", create.User);
        Assert.Equal(["warehouse.internal:172.17.0.1"], create.HostConfig!.ExtraHosts);
        Assert.Equal((2L << 30, 1L << 30, 1_000_000_000L, 512L), (create.HostConfig.Memory, create.HostConfig.MemoryReservation, create.HostConfig.NanoCPUs, create.HostConfig.CPUShares));
        Assert.Equal(
            [
                "PIPELINES_OUTPUT=/pipelines/output.json", "LOG_LEVEL=INFO", "SOURCE_DB_HOST=localhost", "SOURCE_DB_PORT=5432",
                "SOURCE_DB_NAME=operational", "SOURCE_DB_USER=etl_user", "TARGET_SCHEMA=bronze",
            ],
            create.Env);
    }

    [Fact]
    public void Extract_customers_keeps_its_password_a_reference_and_annotations_become_labels()
    {
        var (container, spec) = RenderExtract();

        Assert.Equal(new SecretRef("database-credentials", "SOURCE_DB_PASSWORD"), Assert.Single(container.SecretEnv).Secret);
        Assert.Equal("true", container.Create.Labels["prometheus.io/scrape"]);
        Assert.Equal("local", container.Create.Labels["environment"]);
        Assert.Equal("extract", container.Create.Labels["task"]);
        Assert.Equal("IfNotPresent", (string?)spec.Spec["pullPolicy"]);
    }

    [Fact]
    public void Extract_customers_reports_what_docker_cannot_honour_and_nothing_about_its_kubernetes_options()
    {
        var diagnostics = RenderExtract().Spec.Diagnostics;

        Assert.Equal(
            [
                (DiagnosticSeverity.Warning, "envFrom[0]"),
                (DiagnosticSeverity.Warning, "resources.requests.ephemeral-storage"),
                (DiagnosticSeverity.Warning, "resources.limits.ephemeral-storage"),
            ],
            diagnostics.Select(d => (d.Severity, d.Field)));
    }
}
