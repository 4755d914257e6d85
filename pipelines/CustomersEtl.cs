using k8s.Models;
using Pipelines.Kubernetes;

namespace Pipelines.Examples;

/// <summary>
/// The seed guide's customers ETL: its full KubernetesPodOperator example for
/// <c>extract_customers</c> (with its DockerOperator example as the <c>OnDocker</c> side), then a
/// dbt transform and a load. One definition; <c>pipelines.json</c> picks the runtime per environment.
/// </summary>
public sealed class CustomersEtl : IPipeline
{
    private const string Runner = "registry.localhost/etl/postgres-runner:0.1.0";
    private const string Dbt = "registry.localhost/analytics/dbt-runner:1.0.0";

    public void Define(DagBuilder dag)
    {
        dag.Id("customers_etl")
           .Description("Extract customers from the source database, transform with dbt, load to the warehouse.")
           .Schedule("@daily")
           .StartDate(2026, 11, 1)
           .Param("table", "customers", "The source table to extract.")
           .TaskDefaults(t => t
               .Retries(3, delay: TimeSpan.FromMinutes(5))
               .Env("LOG_LEVEL", "INFO")
               .PullPolicy(ImagePullPolicy.IfNotPresent)
               .Label("app", "airflow")
               .Label("environment", "<< env >>")
               .Label("team", "data-engineering")
               .OnKubernetes(k => k.ServiceAccount("airflow-worker", automountToken: true)));

        var extract = dag.Container("extract_customers", Runner)
            .Command("python", "-m", "datakit.extract")
            .Args("--table", "<< params.table >>", "--date", "<< ds >>")
            .Env("SOURCE_DB_HOST", "<< var.source_host >>")
            .Env("SOURCE_DB_PORT", "<< var.source_port >>")
            .Env("SOURCE_DB_NAME", "<< var.source_database >>")
            .Env("SOURCE_DB_USER", "<< var.source_user >>")
            .Env("TARGET_SCHEMA", "bronze")
            .SecretEnv("SOURCE_DB_PASSWORD", new SecretRef("database-credentials", "SOURCE_DB_PASSWORD"))
            .EnvFromConfigMap("app-config")
            .Resources(
                requests: new(Cpu: "500m", Memory: "1Gi", EphemeralStorage: "2Gi"),
                limits: new(Cpu: "1000m", Memory: "2Gi", EphemeralStorage: "5Gi"))
            .Mount(Volume.Named("airflow-shared-pvc"), "/shared")
            .Mount(Volume.Temp(), "/tmp")
            .Mount(Volume.Named("airflow-logs"), "/airflow/logs")
            .ExtraHost("warehouse.internal", "172.17.0.1")
            .RunAs(user: 1000, group: 1000)
            .RunAsNonRoot()
            .DropCapabilities("ALL")
            .AddCapabilities("NET_BIND_SERVICE")
            .Privileged(false)
            .Label("task", "extract")
            .Annotation("prometheus.io/scrape", "true")
            .Annotation("prometheus.io/port", "9090")
            .Annotation("datadog.com/log-processing-pipeline", "etl")
            .Cleanup(CleanupPolicy.Delete)
            .OnKubernetes(k => k
                .PodTemplateFile("templates/data-processing-pod.yaml")
                .FsGroup(1000)
                .Affinity(DataProcessingAffinity())
                .Toleration("dedicated", "data-processing", TaintEffect.NoSchedule)
                .PriorityClass("high-priority")
                .HostNetwork(false)
                .DnsPolicy("ClusterFirst")
                .DnsConfig(nameservers: ["8.8.8.8"], searches: ["svc.cluster.local"])
                .StartupTimeout(TimeSpan.FromSeconds(300)))
            .OnDocker(d => d
                .Network("edge")
                .Tty()
                // The seed adds SYS_PTRACE for debugging on Docker only: the create-request escape hatch.
                .Patch(create => create.HostConfig!.CapAdd = [.. create.HostConfig.CapAdd ?? [], "SYS_PTRACE"]));

        var transform = dag.Container("transform_customers", Dbt)
            .Command("dbt", "run", "--select", "<< params.table >>")
            .Env("DBT_PROFILES_DIR", "/profiles")
            .Env("DBT_TARGET", "<< env >>")
            .Label("task", "transform")
            .Resources(requests: new(Cpu: "500m", Memory: "1Gi"), limits: new(Cpu: "1", Memory: "2Gi"));

        var load = dag.Container("load_customers", Runner)
            .Command("python", "-m", "datakit.load")
            .Args("--table", "<< params.table >>", "--schema", "silver", "--date", "<< ds >>")
            .Env("TARGET_DB_HOST", "<< var.target_host >>")
            .SecretEnv("TARGET_DB_USER", new SecretRef("database-credentials", "TARGET_DB_USER"))
            .SecretEnv("TARGET_DB_PASSWORD", new SecretRef("database-credentials", "TARGET_DB_PASSWORD"))
            .Label("task", "load")
            .Mount(Volume.Named("airflow-shared-pvc"), "/shared", readOnly: true);

        extract.Then(transform).Then(load);
    }

    // The seed's affinity: data-processing nodes only, spread away from other heavy pods.
    private static V1Affinity DataProcessingAffinity() => new()
    {
        NodeAffinity = new V1NodeAffinity
        {
            RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
            {
                NodeSelectorTerms =
                [
                    new V1NodeSelectorTerm
                    {
                        MatchExpressions = [new V1NodeSelectorRequirement { Key = "node-type", OperatorProperty = "In", Values = ["data-processing"] }],
                    },
                ],
            },
        },
        PodAntiAffinity = new V1PodAntiAffinity
        {
            PreferredDuringSchedulingIgnoredDuringExecution =
            [
                new V1WeightedPodAffinityTerm
                {
                    Weight = 100,
                    PodAffinityTerm = new V1PodAffinityTerm
                    {
                        LabelSelector = new V1LabelSelector
                        {
                            MatchExpressions = [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = "In", Values = ["heavy-processing"] }],
                        },
                        TopologyKey = "kubernetes.io/hostname",
                    },
                },
            ],
        },
    };
}
