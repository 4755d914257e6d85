using k8s.Models;
using Pipelines.Environments;
using Pipelines.Examples;
using Pipelines.Kubernetes.Rendering;
using Pipelines.Rendering;
using Pipelines.Resolution;
using static Pipelines.Kubernetes.Tests.Rendering.Attempts;

namespace Pipelines.Kubernetes.Tests.Rendering;

/// <summary>Every rendered pod is a Pod a Kubernetes 1.32 API server accepts field for field.</summary>
public sealed class PodSchemaTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> ExampleRuns() => new()
    {
        { nameof(CustomersEtl), "local" },
        { nameof(CustomersEtl), "production" },
        { nameof(PortablePipeline), "local" },
        { nameof(PortablePipeline), "production" },
        { nameof(OrdersDaily), "local" },
        { nameof(OrdersDaily), "production" },
    };

    [Theory]
    [MemberData(nameof(ExampleRuns))]
    public async Task Every_pod_of_the_example_pipelines_is_a_valid_pod(string pipeline, string environmentName)
    {
        IPipeline definition = pipeline switch
        {
            nameof(CustomersEtl) => new CustomersEtl(),
            nameof(OrdersDaily) => new OrdersDaily(),
            _ => new PortablePipeline(),
        };
        var builder = new DagBuilder();
        definition.Define(builder);
        var dag = builder.Build();
        var config = PipelinesConfig.Load(RepoRoot);
        var environment = config.SelectEnvironment(environmentName, _ => null);
        var run = RunContext.Create(dag, new DateOnly(2026, 11, 25), environment);
        var renderer = new PodRenderer();

        var failures = new List<string>();
        foreach (var task in dag.Tasks)
        {
            var spec = renderer.Render(TaskResolver.Preview(run, task), config.RootDirectory);
            foreach (var diagnostic in spec.Diagnostics)
            {
                output.WriteLine(diagnostic.ToString());
            }

            failures.AddRange(spec.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));
            failures.AddRange((await PodSchema.ValidateAsync(spec.Spec)).Select(e => $"{task.Id}: {e}"));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task A_pod_with_every_common_setting_and_every_kubernetes_option_is_a_valid_pod()
    {
        var spec = Render(t => t
            .PullPolicy(ImagePullPolicy.Always)
            .Command("python", "-m", "x").Args("--date", "<< ds >>")
            .Env("A", "1").SecretEnv("PASSWORD", new SecretRef("db", "password"))
            .EnvFromSecret("db", "DB_").EnvFromConfigMap("app-config")
            .Mount(Volume.Named("shared"), "/shared", readOnly: true, subPath: "x")
            .Mount(Volume.HostPath("/var/log"), "/host-logs")
            .Mount(Volume.Temp("1Gi", inMemory: true), "/scratch")
            .Mount(Volume.Secret("db", new KeyToPath("password", "password.txt")), "/secrets")
            .Mount(Volume.ConfigMap("app-config"), "/config")
            .Resources(requests: new(Cpu: "500m", Memory: "1Gi", EphemeralStorage: "1Gi"), limits: new(Cpu: "1", Memory: "2Gi", EphemeralStorage: "2Gi"))
            .Gpus(1)
            .RunAs(1000, 1000).RunAsNonRoot().ReadOnlyRootFilesystem().Privileged(false)
            .AddCapabilities("NET_BIND_SERVICE").DropCapabilities("ALL")
            .WorkingDir("/work")
            .ExtraHost("warehouse.internal", "172.17.0.1")
            .Label("team", "data").Annotation("prometheus.io/scrape", "true")
            .Retries(2).Timeout(TimeSpan.FromHours(1)).StopGracePeriod(TimeSpan.FromSeconds(30))
            .Cleanup(CleanupPolicy.DeleteOnSuccess).SkipOnExitCode(99).Pool("db", 1)
            .OnKubernetes(k => k
                .Namespace("team-a")
                .ServiceAccount("worker", automountToken: false)
                .NodeSelector("workload", "data")
                .Affinity(new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [new V1WeightedPodAffinityTerm { Weight = 100, PodAffinityTerm = new V1PodAffinityTerm { TopologyKey = "kubernetes.io/hostname", LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "heavy" } } } }] } })
                .Toleration("dedicated", "data", TaintEffect.NoSchedule)
                .Toleration("spot", null, TaintEffect.NoExecute, 60)
                .PriorityClass("high-priority")
                .ImagePullSecrets("regcred")
                .PodSecurityContext(new V1PodSecurityContext { FsGroup = 1000, SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } })
                .HostNetwork(false)
                .DnsPolicy("None")
                .DnsConfig(new V1PodDNSConfig { Nameservers = ["8.8.8.8"], Searches = ["svc.cluster.local"], Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "2" }] })
                .InitContainer(new V1Container { Name = "wait", Image = "busybox:1.35", Command = ["sh", "-c", "true"] })
                .Sidecar(new V1Container { Name = "proxy", Image = "envoy:1", Ports = [new V1ContainerPort { ContainerPort = 9901 }] })
                .PodTemplateFile("templates/data-processing-pod.yaml")
                .StartupTimeout(TimeSpan.FromMinutes(5))
                .Patch(pod => pod.Spec.SchedulerName = "default-scheduler")));

        Assert.DoesNotContain(spec.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        var errors = await PodSchema.ValidateAsync(spec.Spec);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task The_schema_rejects_what_kubernetes_rejects()
    {
        var spec = Render(_ => { }).Spec;
        spec["spec"]!["sidecars"] = new System.Text.Json.Nodes.JsonArray();

        Assert.NotEmpty(await PodSchema.ValidateAsync(spec));
    }

    [Fact]
    public void Without_the_schema_the_check_skips_with_a_reason()
    {
        var variables = new Dictionary<string, string?> { ["PIPELINES_SCHEMA_DIR"] = "/nonexistent/schema" };

        var absent = PodSchema.WhenAbsent(n => variables.GetValueOrDefault(n), AppContext.BaseDirectory);

        Assert.NotNull(absent);
        Assert.False(absent.Value.Fail);
        Assert.Contains("/nonexistent/schema", absent.Value.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_schema_under_ci_the_check_fails()
    {
        var variables = new Dictionary<string, string?> { ["PIPELINES_SCHEMA_DIR"] = "/nonexistent/schema", ["CI"] = "true" };

        var absent = PodSchema.WhenAbsent(n => variables.GetValueOrDefault(n), AppContext.BaseDirectory);

        Assert.True(absent?.Fail);
    }

    [Fact]
    public void The_schema_is_found_beside_the_repository_by_walking_up_from_the_test_binary()
    {
        var (directory, reason) = PodSchema.Locate(_ => null, AppContext.BaseDirectory);
        var expected = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "kubernetes-schema"));

        Assert.True(directory == expected || (directory is null && reason.Contains(expected, StringComparison.Ordinal)), reason);
    }
}
