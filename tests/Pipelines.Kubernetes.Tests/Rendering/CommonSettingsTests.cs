using k8s.Models;
using Pipelines.Environments;
using Pipelines.Rendering;
using static Pipelines.Kubernetes.Tests.Rendering.Attempts;

namespace Pipelines.Kubernetes.Tests.Rendering;

/// <summary>Each common task setting lands in its pod field.</summary>
public sealed class CommonSettingsTests
{
    [Fact]
    public void A_bare_task_is_a_v1_pod_that_never_restarts_with_the_base_container_first()
    {
        var spec = Render(_ => { });
        var pod = ToPod(spec.Spec);

        Assert.Equal(("v1", "Pod", "Never"), (pod.ApiVersion, pod.Kind, pod.Spec.RestartPolicy));
        Assert.Equal("base", pod.Base().Name);
        Assert.Equal("registry.localhost/etl/runner:1.0.0", pod.Base().Image);
        Assert.Equal(("kubernetes", "t", pod.Metadata.Name), (spec.Target, spec.TaskId, spec.Name));
        Assert.Empty(spec.Diagnostics);
    }

    [Fact]
    public void The_image_is_rewritten_for_the_environment()
    {
        var environment = Production with { Registry = ImmutableSortedDictionary<string, string>.Empty.Add("registry.localhost", "registry.mycompany.com") };
        var pod = ToPod(Render(_ => { }, environment: environment).Spec);

        Assert.Equal("registry.mycompany.com/etl/runner:1.0.0", pod.Base().Image);
    }

    [Theory]
    [InlineData(ImagePullPolicy.Always, "Always")]
    [InlineData(ImagePullPolicy.IfNotPresent, "IfNotPresent")]
    [InlineData(ImagePullPolicy.Never, "Never")]
    public void Pull_policy_is_imagePullPolicy(ImagePullPolicy policy, string expected) =>
        Assert.Equal(expected, Pod(t => t.PullPolicy(policy)).Base().ImagePullPolicy);

    [Fact]
    public void Command_args_and_working_dir_are_the_containers()
    {
        var pod = Pod(t => t.Command("python", "-m", "x").Args("--date", "<< ds >>").WorkingDir("/work"));

        Assert.Equal(["python", "-m", "x"], pod.Base().Command);
        Assert.Equal(["--date", "2026-11-25"], pod.Base().Args);
        Assert.Equal("/work", pod.Base().WorkingDir);
    }

    [Fact]
    public void Env_keeps_its_order_after_the_output_variable_then_secret_env_as_secret_key_refs()
    {
        var pod = Pod(t => t.Env("B", "2").Env("A", "1").SecretEnv("PASSWORD", new SecretRef("database-credentials", "SOURCE_DB_PASSWORD")));
        var env = pod.Base().Env;

        Assert.Equal(["PIPELINES_OUTPUT", "B", "A", "PASSWORD"], env.Select(e => e.Name));
        Assert.Equal("/pipelines/output.json", env[0].Value);
        Assert.Equal(("2", "1"), (env[1].Value, env[2].Value));
        Assert.Null(env[3].Value);
        Assert.Equal(("database-credentials", "SOURCE_DB_PASSWORD"), (env[3].ValueFrom.SecretKeyRef.Name, env[3].ValueFrom.SecretKeyRef.Key));
    }

    [Fact]
    public void Env_from_is_secret_ref_or_config_map_ref_with_prefix()
    {
        var pod = Pod(t => t.EnvFromSecret("db", "DB_").EnvFromConfigMap("app-config"));
        var from = pod.Base().EnvFrom;

        Assert.Equal(("db", "DB_"), (from[0].SecretRef.Name, from[0].Prefix));
        Assert.Null(from[0].ConfigMapRef);
        Assert.Equal("app-config", from[1].ConfigMapRef.Name);
        Assert.Null(from[1].Prefix);
    }

    [Fact]
    public void The_output_file_is_the_termination_message_on_a_small_writable_volume()
    {
        var pod = Pod(t => t.ReadOnlyRootFilesystem());
        var container = pod.Base();
        var mount = container.VolumeMounts.Single(m => m.MountPath == "/pipelines");
        var volume = pod.Spec.Volumes.Single(v => v.Name == mount.Name);

        Assert.Equal(("/pipelines/output.json", "File"), (container.TerminationMessagePath, container.TerminationMessagePolicy));
        Assert.NotNull(volume.EmptyDir);
        Assert.Equal("1Mi", volume.EmptyDir.SizeLimit.ToString());
        Assert.Empty(pod.Spec.InitContainers ?? []); // no sidecar reads the output
    }

    [Fact]
    public void Resources_are_requests_and_limits_with_gpus_as_an_nvidia_limit()
    {
        var pod = Pod(t => t
            .Resources(requests: new(Cpu: "500m", Memory: "1Gi", EphemeralStorage: "2Gi"), limits: new(Cpu: "2", Memory: "2Gi", EphemeralStorage: "5Gi"))
            .Gpus(2));
        var resources = pod.Base().Resources;

        Assert.Equal(("500m", "1Gi", "2Gi"), (resources.Requests["cpu"].ToString(), resources.Requests["memory"].ToString(), resources.Requests["ephemeral-storage"].ToString()));
        Assert.Equal(("2", "2Gi", "5Gi", "2"), (resources.Limits["cpu"].ToString(), resources.Limits["memory"].ToString(), resources.Limits["ephemeral-storage"].ToString(), resources.Limits["nvidia.com/gpu"].ToString()));
        Assert.False(resources.Requests.ContainsKey("nvidia.com/gpu"));
    }

    [Fact]
    public void No_resources_means_no_resources_field() =>
        Assert.Null(Pod(_ => { }).Base().Resources);

    [Fact]
    public void Security_settings_are_the_containers_security_context()
    {
        var context = Pod(t => t.RunAs(1000, 2000).RunAsNonRoot().ReadOnlyRootFilesystem().Privileged(false)
            .AddCapabilities("NET_BIND_SERVICE").DropCapabilities("ALL")).Base().SecurityContext;

        Assert.Equal((1000L, 2000L), (context.RunAsUser, context.RunAsGroup));
        Assert.True(context.RunAsNonRoot);
        Assert.True(context.ReadOnlyRootFilesystem);
        Assert.False(context.Privileged);
        Assert.Equal(["NET_BIND_SERVICE"], context.Capabilities.Add);
        Assert.Equal(["ALL"], context.Capabilities.Drop);
    }

    [Fact]
    public void No_security_setting_means_no_security_context() =>
        Assert.Null(Pod(_ => { }).Base().SecurityContext);

    [Fact]
    public void Docker_style_capability_names_lose_their_prefix_with_a_warning()
    {
        var spec = Render(t => t.AddCapabilities("CAP_NET_ADMIN"));

        Assert.Equal(["NET_ADMIN"], ToPod(spec.Spec).Base().SecurityContext.Capabilities.Add);
        var warning = Assert.Single(spec.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Warning, "capabilities.add"), (warning.Severity, warning.Field));
    }

    [Fact]
    public void Extra_hosts_are_host_aliases_grouped_by_ip_and_sorted()
    {
        var pod = Pod(t => t.ExtraHost("warehouse.internal", "172.17.0.1").ExtraHost("db.internal", "10.0.0.5").ExtraHost("cache.internal", "172.17.0.1"));

        Assert.Equal(["10.0.0.5", "172.17.0.1"], pod.Spec.HostAliases.Select(h => h.Ip));
        Assert.Equal(["cache.internal", "warehouse.internal"], pod.Spec.HostAliases[1].Hostnames);
    }

    [Fact]
    public void Dockers_host_gateway_is_left_out_with_a_warning()
    {
        var spec = Render(t => t.ExtraHost("host.docker.internal", "host-gateway"));

        Assert.Null(ToPod(spec.Spec).Spec.HostAliases);
        Assert.Contains(spec.Diagnostics, d => d is { Severity: DiagnosticSeverity.Warning, Field: "extraHosts[0].ip" });
    }

    [Fact]
    public void Labels_and_annotations_are_the_pods_beside_the_identity_ones()
    {
        var pod = Pod(t => t.Label("team", "data-engineering").Annotation("prometheus.io/scrape", "true"));

        Assert.Equal("data-engineering", pod.Metadata.Labels["team"]);
        Assert.Equal("t", pod.Metadata.Labels["pipelines.task"]);
        Assert.Equal("true", pod.Metadata.Annotations["prometheus.io/scrape"]);
        Assert.Contains("pipelines.attempt", pod.Metadata.Annotations.Keys);
    }

    [Fact]
    public void Timeout_is_active_deadline_and_stop_grace_is_termination_grace_rounded_up()
    {
        var pod = Pod(t => t.Timeout(TimeSpan.FromMinutes(30)).StopGracePeriod(TimeSpan.FromSeconds(9.2)));

        Assert.Equal(1800L, pod.Spec.ActiveDeadlineSeconds);
        Assert.Equal(10L, pod.Spec.TerminationGracePeriodSeconds);
    }

    [Fact]
    public void Executor_settings_leave_the_pod_alone_without_a_diagnostic()
    {
        var spec = Render(t => t.Retries(5).Cleanup(CleanupPolicy.Keep).TriggerRule(TriggerRule.AllDone).SkipOnExitCode(99).Pool("db", 2)
            .OnKubernetes(k => k.StartupTimeout(TimeSpan.FromMinutes(2))));

        Assert.Empty(spec.Diagnostics);
        Assert.Equal(Render(_ => { }).Spec["spec"]!.ToJsonString(), spec.Spec["spec"]!.ToJsonString());
    }

    [Fact]
    public void The_namespace_is_the_tasks_else_the_environments_else_absent()
    {
        Assert.Equal("airflow-production", Pod(_ => { }).Metadata.NamespaceProperty);
        Assert.Equal("team-a", Pod(t => t.OnKubernetes(k => k.Namespace("team-a"))).Metadata.NamespaceProperty);
        Assert.Null(ToPod(Render(_ => { }, environment: EnvironmentConfig.DefaultLocal).Spec).Metadata.NamespaceProperty);
    }
}
