using k8s.Models;
using Pipelines.Kubernetes.Rendering;
using Pipelines.Rendering;
using static Pipelines.Kubernetes.Tests.Rendering.Attempts;

namespace Pipelines.Kubernetes.Tests.Rendering;

/// <summary>Each <c>OnKubernetes</c> option lands in its pod field; sidecars are native; patches run last.</summary>
public sealed class KubernetesOptionsRenderingTests
{
    [Fact]
    public void Every_scheduling_and_identity_option_is_its_pod_field()
    {
        var pod = Pod(t => t.OnKubernetes(k => k
            .ServiceAccount("airflow-worker", automountToken: false)
            .NodeSelector("workload", "data-processing")
            .Affinity(new V1Affinity { NodeAffinity = new V1NodeAffinity { RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "node-type", OperatorProperty = "In", Values = ["data"] }] }] } } })
            .Toleration("dedicated", "data-processing", TaintEffect.NoSchedule)
            .Toleration("gpu", null, TaintEffect.NoExecute, 60)
            .PriorityClass("high-priority")
            .ImagePullSecrets("regcred")
            .FsGroup(1000)
            .HostNetwork(true)
            .DnsPolicy("ClusterFirstWithHostNet")
            .DnsConfig(["8.8.8.8"], ["svc.cluster.local"])));
        var spec = pod.Spec;

        Assert.Equal(("airflow-worker", false), (spec.ServiceAccountName, spec.AutomountServiceAccountToken));
        Assert.Equal("data-processing", spec.NodeSelector["workload"]);
        Assert.Equal("node-type", spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Key);
        Assert.Equal(("dedicated", "Equal", "data-processing", "NoSchedule"), (spec.Tolerations[0].Key, spec.Tolerations[0].OperatorProperty, spec.Tolerations[0].Value, spec.Tolerations[0].Effect));
        Assert.Equal(("Exists", 60L), (spec.Tolerations[1].OperatorProperty, spec.Tolerations[1].TolerationSeconds!.Value));
        Assert.Equal("high-priority", spec.PriorityClassName);
        Assert.Equal("regcred", spec.ImagePullSecrets.Single().Name);
        Assert.Equal(1000L, spec.SecurityContext.FsGroup);
        Assert.True(spec.HostNetwork);
        Assert.Equal("ClusterFirstWithHostNet", spec.DnsPolicy);
        Assert.Equal(["8.8.8.8"], spec.DnsConfig.Nameservers);
        Assert.Equal(["svc.cluster.local"], spec.DnsConfig.Searches);
    }

    [Fact]
    public void Sidecars_are_native_init_containers_after_the_plain_ones_and_base_stays_first()
    {
        var pod = Pod(t => t.OnKubernetes(k => k
            .Sidecar(new V1Container { Name = "log-shipper", Image = "fluentbit/fluent-bit:2.0" })
            .InitContainer(new V1Container { Name = "wait-for-db", Image = "busybox:1.35" })));

        Assert.Equal(["wait-for-db", "log-shipper"], pod.Spec.InitContainers.Select(c => c.Name));
        Assert.Null(pod.Spec.InitContainers[0].RestartPolicy);
        Assert.Equal("Always", pod.Spec.InitContainers[1].RestartPolicy);
        Assert.Equal("base", Assert.Single(pod.Spec.Containers).Name);
        Assert.Equal("Never", pod.Spec.RestartPolicy);
    }

    [Fact]
    public void Patches_run_last_on_the_finished_pod_and_cannot_change_the_tasks_options()
    {
        var task = Attempt(t => t.OnKubernetes(k => k
            .Toleration("a", "b", TaintEffect.NoSchedule)
            .Patch(pod => pod.Spec.Tolerations[0].Value = "patched")
            .Patch(pod => pod.Spec.SchedulerName = "batch-scheduler")));
        var renderer = new PodRenderer();

        var first = renderer.RenderPod(task, RepoRoot, out var diagnostics);
        var second = renderer.RenderPod(task, RepoRoot, out _);

        Assert.Empty(diagnostics);
        Assert.Equal(("patched", "batch-scheduler"), (first.Spec.Tolerations[0].Value, first.Spec.SchedulerName));
        Assert.Equal("patched", second.Spec.Tolerations[0].Value); // the option itself was not changed by the first patch
        Assert.Equal("b", task.Task.RuntimeOptions.Get<KubernetesOptions>()!.Tolerations[0].Value);
    }

    [Fact]
    public void A_patch_that_throws_is_an_error_of_that_task()
    {
        var spec = Render(t => t.OnKubernetes(k => k.Patch(_ => throw new InvalidOperationException("boom"))));

        var error = Assert.Single(spec.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Error, "kubernetes.patches[0]"), (error.Severity, error.Field));
        Assert.Contains("boom", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_patch_that_breaks_the_pod_is_caught_by_the_final_checks()
    {
        var spec = Render(t => t.OnKubernetes(k => k.Patch(pod => pod.Spec.Containers[0].VolumeMounts.Add(new V1VolumeMount { Name = "nowhere", MountPath = "/x" }))));

        Assert.Contains(spec.Diagnostics, d => d is { Severity: DiagnosticSeverity.Error, Field: "pod.spec.containers[0].volumeMounts[1].name" });
    }

    [Fact]
    public void A_sidecar_that_mounts_an_undeclared_volume_is_an_error()
    {
        var spec = Render(t => t.OnKubernetes(k => k.Sidecar(new V1Container { Name = "shipper", Image = "x", VolumeMounts = [new V1VolumeMount { Name = "logs", MountPath = "/logs" }] })));

        Assert.Contains(spec.Diagnostics, d => d is { Severity: DiagnosticSeverity.Error, Field: "pod.spec.initContainers[0].volumeMounts[0].name" });
    }

    [Fact]
    public void Run_as_non_root_with_user_zero_is_an_error_and_privileged_conflicts_are_warnings()
    {
        var spec = Render(t => t.RunAs(0).RunAsNonRoot().Privileged().DropCapabilities("ALL"));

        Assert.Equal(
            [(DiagnosticSeverity.Error, "runAsNonRoot"), (DiagnosticSeverity.Warning, "privileged"), (DiagnosticSeverity.Warning, "capabilities.drop")],
            spec.Diagnostics.Select(d => (d.Severity, d.Field)));
    }

    [Fact]
    public void Secret_references_and_hosts_kubernetes_rejects_are_errors_naming_the_field()
    {
        var spec = Render(t => t
            .SecretEnv("PASSWORD", new SecretRef("Database_Credentials", "pass word"))
            .EnvFromConfigMap("App_Config")
            .ExtraHost("Warehouse", "300.1.1.1"));

        Assert.Equal(
            ["secretEnv.PASSWORD.name", "secretEnv.PASSWORD.key", "envFrom[0].name", "extraHosts[0].ip", "extraHosts[0].host"],
            spec.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Field));
    }

    [Fact]
    public void Setting_the_output_variable_is_replaced_with_a_warning()
    {
        var spec = Render(t => t.Env("PIPELINES_OUTPUT", "/tmp/out.json"));

        Assert.Equal("/pipelines/output.json", ToPod(spec.Spec).Base().Env.Single(e => e.Name == "PIPELINES_OUTPUT").Value);
        Assert.Contains(spec.Diagnostics, d => d is { Severity: DiagnosticSeverity.Warning, Field: "env.PIPELINES_OUTPUT" });
    }

    [Fact]
    public void A_node_selector_value_that_is_no_label_value_is_an_error() =>
        Assert.Contains(Render(t => t.OnKubernetes(k => k.NodeSelector("workload", "data processing"))).Diagnostics,
            d => d is { Severity: DiagnosticSeverity.Error, Field: "kubernetes.nodeSelector.workload" });
}
