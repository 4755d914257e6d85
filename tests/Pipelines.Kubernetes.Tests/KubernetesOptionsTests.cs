using k8s.Models;
using Pipelines.Kubernetes;

namespace Pipelines.Kubernetes.Tests;

public sealed class KubernetesOptionsTests
{
    private static ContainerTask Build(Action<TaskBuilder> configure, Action<DagBuilder>? dag = null)
    {
        var builder = new DagBuilder().Id("d");
        dag?.Invoke(builder);
        configure(builder.Container("t", "img"));
        return builder.Build()["t"];
    }

    [Fact]
    public void Every_kubernetes_setting_lands_in_the_task_options()
    {
        var patched = false;
        var task = Build(t => t.OnKubernetes(k => k
            .Namespace("airflow-production")
            .ServiceAccount("airflow-worker", automountToken: true)
            .NodeSelector("workload", "data-processing")
            .Affinity(new V1Affinity { NodeAffinity = new V1NodeAffinity() })
            .Toleration("dedicated", "data-processing", TaintEffect.NoSchedule)
            .Toleration("gpu", null, TaintEffect.NoExecute, 60)
            .PriorityClass("high-priority")
            .ImagePullSecrets("regcred")
            .FsGroup(1000)
            .HostNetwork(false)
            .DnsPolicy("ClusterFirst")
            .DnsConfig(["8.8.8.8"], ["svc.cluster.local"])
            .InitContainer(new V1Container { Name = "init-permissions", Image = "busybox:1.35" })
            .Sidecar(new V1Container { Name = "log-shipper", Image = "fluent-bit:2.0" })
            .PodTemplateFile("templates/data-processing-pod.yaml")
            .StartupTimeout(TimeSpan.FromMinutes(5))
            .Patch(_ => patched = true)));

        var k = task.RuntimeOptions.Get<KubernetesOptions>()!;

        Assert.Equal("airflow-production", k.Namespace);
        Assert.Equal(("airflow-worker", true), (k.ServiceAccount, k.AutomountServiceAccountToken));
        Assert.Equal("data-processing", k.NodeSelector["workload"]);
        Assert.NotNull(k.Affinity!.NodeAffinity);
        Assert.Equal(("dedicated", "Equal", "data-processing", "NoSchedule"), (k.Tolerations[0].Key, k.Tolerations[0].OperatorProperty, k.Tolerations[0].Value, k.Tolerations[0].Effect));
        Assert.Equal(("Exists", 60L), (k.Tolerations[1].OperatorProperty, k.Tolerations[1].TolerationSeconds!.Value));
        Assert.Equal("high-priority", k.PriorityClass);
        Assert.Equal(["regcred"], k.ImagePullSecrets);
        Assert.Equal(1000, k.PodSecurityContext!.FsGroup);
        Assert.False(k.HostNetwork);
        Assert.Equal("ClusterFirst", k.DnsPolicy);
        Assert.Equal(["8.8.8.8"], k.DnsConfig!.Nameservers);
        Assert.Equal("init-permissions", k.InitContainers.Single().Name);
        Assert.Equal("log-shipper", k.Sidecars.Single().Name);
        Assert.Equal("templates/data-processing-pod.yaml", k.PodTemplateFile);
        Assert.Equal(TimeSpan.FromMinutes(5), k.StartupTimeout);
        k.Patches.Single()(new V1Pod());
        Assert.True(patched);
    }

    [Fact]
    public void Models_passed_in_are_copied_so_later_changes_do_not_reach_the_dag()
    {
        var sidecar = new V1Container { Name = "log-shipper", Image = "fluent-bit:2.0" };
        var task = Build(t => t.OnKubernetes(k => k.Sidecar(sidecar)));
        sidecar.Image = "changed";

        Assert.Equal("fluent-bit:2.0", task.RuntimeOptions.Get<KubernetesOptions>()!.Sidecars.Single().Image);
    }

    [Fact]
    public void Task_defaults_and_task_calls_add_up_per_task_without_sharing()
    {
        var builder = new DagBuilder().Id("d").TaskDefaults(t => t.OnKubernetes(k => k.ServiceAccount("worker").NodeSelector("pool", "etl")));
        builder.Container("a", "img").OnKubernetes(k => k.NodeSelector("disk", "ssd"));
        builder.Container("b", "img");

        var dag = builder.Build();

        var a = dag["a"].RuntimeOptions.Get<KubernetesOptions>()!;
        var b = dag["b"].RuntimeOptions.Get<KubernetesOptions>()!;
        Assert.Equal(("worker", "etl", "ssd"), (a.ServiceAccount, a.NodeSelector["pool"], a.NodeSelector["disk"]));
        Assert.Equal(["pool"], b.NodeSelector.Keys);
    }

    [Theory]
    [InlineData("Airflow_Prod", "kubernetes.namespace")]
    [InlineData("dns", "kubernetes.dnsPolicy")]
    [InlineData("sidecar", "kubernetes.sidecars[0].name")]
    [InlineData("base", "kubernetes.initContainers[0].name")]
    [InlineData("startup", "kubernetes.startupTimeout")]
    [InlineData("exists", "kubernetes.tolerations[0].value")]
    public void Invalid_kubernetes_settings_are_definition_problems(string which, string field)
    {
        var builder = new DagBuilder().Id("d");
        builder.Container("t", "img").OnKubernetes(k => _ = which switch
        {
            "dns" => k.DnsPolicy("ClusterLast"),
            "sidecar" => k.Sidecar(new V1Container { Name = "Log_Shipper", Image = "x" }),
            "base" => k.InitContainer(new V1Container { Name = "base", Image = "x" }),
            "startup" => k.StartupTimeout(TimeSpan.Zero),
            "exists" => k.Toleration(new V1Toleration { Key = "k", OperatorProperty = "Exists", Value = "v" }),
            _ => k.Namespace(which),
        });

        var problem = Assert.Single(Assert.Throws<PipelineDefinitionException>(() => builder.Build()).Problems);

        Assert.Equal(("t", field), (problem.TaskId, problem.Field));
    }

    [Fact]
    public void Every_string_inside_kubernetes_options_is_templated()
    {
        var task = Build(
            t => t.OnKubernetes(k => k
                .Namespace("<< params.ns >>")
                .NodeSelector("pool", "<< params.pool >>")
                .Sidecar(new V1Container { Name = "shipper", Image = "fluent-bit:<< params.tag >>", Args = ["--date", "<< ds >>"] })
                .Affinity(new V1Affinity
                {
                    NodeAffinity = new V1NodeAffinity
                    {
                        RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                        {
                            NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "node-type", OperatorProperty = "In", Values = ["<< params.pool >>"] }] }],
                        },
                    },
                })),
            dag => dag.Param("ns", "etl").Param("pool", "batch").Param("tag", "2.0"));
        var fields = new List<string>();

        var mapped = (KubernetesOptions)task.RuntimeOptions.Get<KubernetesOptions>()!.MapStrings((value, field) =>
        {
            fields.Add(field.ToString());
            return value.Replace("<< params.ns >>", "etl-prod").Replace("<< params.pool >>", "batch").Replace("<< params.tag >>", "2.0").Replace("<< ds >>", "2026-11-25");
        });

        Assert.Equal("etl-prod", mapped.Namespace);
        Assert.Equal("batch", mapped.NodeSelector["pool"]);
        Assert.Equal("fluent-bit:2.0", mapped.Sidecars[0].Image);
        Assert.Equal(["--date", "2026-11-25"], mapped.Sidecars[0].Args);
        Assert.Equal("batch", mapped.Affinity!.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Values[0]);
        Assert.Contains("kubernetes.namespace", fields);
        Assert.Contains("kubernetes.sidecars[0].args[1]", fields);
        Assert.Contains("kubernetes.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0]", fields);
    }

    [Fact]
    public void A_template_error_inside_a_sidecar_is_a_definition_problem_naming_its_field()
    {
        var builder = new DagBuilder().Id("d");
        builder.Container("t", "img").OnKubernetes(k => k.Sidecar(new V1Container { Name = "s", Image = "x:<< params.nope >>" }));

        var problem = Assert.Single(Assert.Throws<PipelineDefinitionException>(() => builder.Build()).Problems);

        Assert.Equal("kubernetes.sidecars[0].image", problem.Field);
    }
}
