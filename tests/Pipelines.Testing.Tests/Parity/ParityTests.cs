using System.Reflection;
using System.Text.Json.Nodes;
using Pipelines.Docker;
using Pipelines.Docker.Rendering;
using Pipelines.Environments;
using Pipelines.Kubernetes;
using Pipelines.Kubernetes.Rendering;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Testing.Tests.Parity;

/// <summary>
/// Every common setting is rendered or diagnosed by every target: a new property of the model
/// cannot be forgotten by a runtime, because the reflection test below fails until it has a sample
/// here, and the sample fails until each renderer maps or reports it.
/// </summary>
public sealed class ParityTests
{
    /// <summary>Settings the executor honours the same way on every runtime; no renderer needs them.</summary>
    private static readonly Dictionary<string, string> ExecutorSettings = new()
    {
        ["Id"] = "names the task",
        ["Upstream"] = "the executor orders tasks",
        ["Retry"] = "the executor retries",
        ["ExecutionTimeout"] = "the executor stops a late attempt",
        ["TriggerRule"] = "the executor decides whether a task runs",
        ["SkipOnExitCodes"] = "the executor reads the exit code",
        ["Pool"] = "the executor bounds slots",
        ["PoolSlots"] = "the executor bounds slots",
        ["Cleanup"] = "the runtime deletes or keeps finished containers and pods",
        ["RuntimeOptions"] = "each runtime's own options, tested in its project",
        ["Callbacks"] = "the executor calls them in the host, on every runtime",
    };

    /// <summary>One sample per setting (and per sub-setting of records and volume kinds).</summary>
    public static readonly Dictionary<string, Action<TaskBuilder>> Samples = new()
    {
        ["Image"] = t => t.Args("x"), // the image is always rendered; see Image_is_rendered
        ["ImagePullPolicy"] = t => t.PullPolicy(ImagePullPolicy.Always),
        ["Command"] = t => t.Command("python", "-m", "x"),
        ["Args"] = t => t.Args("--date", "2026-11-25"),
        ["Env"] = t => t.Env("LOG_LEVEL", "DEBUG"),
        ["SecretEnv"] = t => t.SecretEnv("PASSWORD", new SecretRef("creds", "pw")),
        ["EnvFrom.Secret"] = t => t.EnvFromSecret("all-creds"),
        ["EnvFrom.ConfigMap"] = t => t.EnvFromConfigMap("app-config"),
        ["Mounts.NamedVolume"] = t => t.Mount(Volume.Named("data"), "/data"),
        ["Mounts.HostPathVolume"] = t => t.Mount(Volume.HostPath("/srv/data"), "/data"),
        ["Mounts.TempVolume"] = t => t.Mount(Volume.Temp("1Gi"), "/scratch"),
        ["Mounts.SecretVolume"] = t => t.Mount(Volume.Secret("creds"), "/secrets", readOnly: true),
        ["Mounts.ConfigMapVolume"] = t => t.Mount(Volume.ConfigMap("cfg"), "/etc/cfg"),
        ["Mounts.ReadOnly"] = t => t.Mount(Volume.Named("data"), "/data", readOnly: true),
        ["Mounts.SubPath"] = t => t.Mount(Volume.Named("data"), "/data", subPath: "sub"),
        ["Resources.Requests.Cpu"] = t => t.Resources(requests: new(Cpu: "500m")),
        ["Resources.Requests.Memory"] = t => t.Resources(requests: new(Memory: "1Gi")),
        ["Resources.Requests.EphemeralStorage"] = t => t.Resources(requests: new(EphemeralStorage: "2Gi")),
        ["Resources.Limits.Cpu"] = t => t.Resources(limits: new(Cpu: "1")),
        ["Resources.Limits.Memory"] = t => t.Resources(limits: new(Memory: "2Gi")),
        ["Resources.Limits.EphemeralStorage"] = t => t.Resources(limits: new(EphemeralStorage: "5Gi")),
        ["Resources.Gpus"] = t => t.Gpus(1),
        ["RunAsUser"] = t => t.RunAs(1000),
        ["RunAsGroup"] = t => t.RunAs(1000, 2000),
        ["RunAsNonRoot"] = t => t.RunAsNonRoot(),
        ["ReadOnlyRootFilesystem"] = t => t.ReadOnlyRootFilesystem(),
        ["CapabilitiesAdd"] = t => t.AddCapabilities("NET_BIND_SERVICE"),
        ["CapabilitiesDrop"] = t => t.DropCapabilities("ALL"),
        ["Privileged"] = t => t.Privileged(),
        ["WorkingDir"] = t => t.WorkingDir("/work"),
        ["ExtraHosts"] = t => t.ExtraHost("warehouse.internal", "172.17.0.1"),
        ["Labels"] = t => t.Label("team", "data"),
        ["Annotations"] = t => t.Annotation("prometheus.io/scrape", "true"),
        ["StopGracePeriod"] = t => t.StopGracePeriod(TimeSpan.FromSeconds(45)),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var target in new[] { "kubernetes", "docker" })
        {
            foreach (var setting in Samples.Keys.Order(StringComparer.Ordinal))
            {
                data.Add(target, setting);
            }
        }

        return data;
    }

    [Fact]
    public void Every_property_of_the_task_model_has_a_sample_or_is_the_executors()
    {
        var missing = SettingNames().Where(name => !ExecutorSettings.ContainsKey(name) && !Samples.Keys.Any(k => k == name || k.StartsWith(name + ".", StringComparison.Ordinal))).ToList();

        Assert.True(missing.Count == 0, $"Settings with no parity sample: {string.Join(", ", missing)} — add one to ParityTests.Samples, and map or diagnose it in every renderer.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_setting_is_rendered_or_diagnosed_by_each_target(string target, string setting)
    {
        var (baseline, _) = Render(target, _ => { });
        var (spec, diagnostics) = Render(target, Samples[setting]);

        Assert.True(
            !JsonNode.DeepEquals(baseline, spec) || diagnostics.Length > 0,
            $"{target} neither renders nor diagnoses {setting}");
    }

    [Theory]
    [InlineData("kubernetes")]
    [InlineData("docker")]
    public void Image_is_rendered(string target)
    {
        var (spec, _) = Render(target, _ => { }, image: "registry.localhost/etl/unique-image:9.9");

        Assert.Contains("registry.localhost/etl/unique-image:9.9", spec.ToJsonString());
    }

    // Every settable property of the task model, with records and volume kinds opened up.
    private static IEnumerable<string> SettingNames()
    {
        foreach (var property in typeof(ContainerTask).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.Name == "EqualityContract")
            {
                continue;
            }

            if (property.PropertyType == typeof(ResourceRequirements))
            {
                yield return "Resources.Gpus";
                foreach (var set in new[] { "Requests", "Limits" })
                {
                    foreach (var amount in typeof(ResourceSet).GetProperties().Where(p => p.PropertyType == typeof(string)))
                    {
                        yield return $"Resources.{set}.{amount.Name}";
                    }
                }
            }
            else if (property.Name == nameof(ContainerTask.Mounts))
            {
                foreach (var kind in typeof(Volume).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Volume))))
                {
                    yield return $"Mounts.{kind.Name}";
                }

                foreach (var option in typeof(VolumeMount).GetProperties().Where(p => p.Name is not ("Volume" or "MountPath" or "EqualityContract")))
                {
                    yield return $"Mounts.{option.Name}";
                }
            }
            else if (property.Name == nameof(ContainerTask.EnvFrom))
            {
                foreach (var kind in Enum.GetNames<EnvSourceKind>())
                {
                    yield return $"EnvFrom.{kind}";
                }
            }
            else
            {
                yield return property.Name;
            }
        }
    }

    private static (JsonObject Spec, ImmutableArray<RenderDiagnostic> Diagnostics) Render(string target, Action<TaskBuilder> configure, string image = "registry.localhost/etl/runner:1.0")
    {
        var dag = new DagBuilder().Id("parity");
        configure(dag.Container("t", image));
        var run = RunContext.Create(dag.Build(), new DateOnly(2026, 11, 25), EnvironmentConfig.DefaultLocal);
        ISpecRenderer renderer = target == "kubernetes" ? new PodRenderer() : new ContainerRenderer();
        var spec = renderer.Render(TaskResolver.Resolve(run, run.Dag["t"]), Directory.GetCurrentDirectory());
        return (spec.Spec, spec.Diagnostics);
    }
}
