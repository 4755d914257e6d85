using k8s.Models;
using Pipelines.Rendering;
using static Pipelines.Kubernetes.Tests.Rendering.Attempts;

namespace Pipelines.Kubernetes.Tests.Rendering;

/// <summary>A pod template under the rendered pod: the task wins; lists merge by their keys.</summary>
public sealed class PodTemplateMergeTests
{
    private static V1Pod WithTemplate(string spec, Action<TaskBuilder> configure)
    {
        var root = TemplateProject($"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: placeholder
            spec:
            {spec}
            """);
        var rendered = Render(t => configure(t.OnKubernetes(k => k.PodTemplateFile("pod.yaml"))), root);
        Assert.DoesNotContain(rendered.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        return ToPod(rendered.Spec);
    }

    [Fact]
    public void The_templates_base_container_is_merged_field_by_field_with_the_tasks_and_other_containers_are_kept()
    {
        var pod = WithTemplate("""
              containers:
                - name: helper
                  image: busybox:1.35
                - name: base
                  image: placeholder
                  command: ["template"]
                  stdin: true
                  resources:
                    requests: {cpu: 250m, memory: 512Mi}
                    limits: {memory: 1Gi}
                  securityContext:
                    allowPrivilegeEscalation: false
                    runAsUser: 5
            """, t => t.Command("python").Resources(requests: new(Cpu: "1")).RunAs(1000));
        var container = pod.Base();

        Assert.Equal(["base", "helper"], pod.Spec.Containers.Select(c => c.Name)); // base moved first
        Assert.Equal(("registry.localhost/etl/runner:1.0.0", true), (container.Image, container.Stdin));
        Assert.Equal(["python"], container.Command);
        Assert.Equal(("1", "512Mi", "1Gi"), (container.Resources.Requests["cpu"].ToString(), container.Resources.Requests["memory"].ToString(), container.Resources.Limits["memory"].ToString()));
        Assert.Equal((1000L, false), (container.SecurityContext.RunAsUser, container.SecurityContext.AllowPrivilegeEscalation));
        Assert.Equal("/pipelines/output.json", container.TerminationMessagePath);
    }

    [Fact]
    public void Init_containers_merge_by_name_the_templates_first_then_the_tasks()
    {
        var pod = WithTemplate("""
              initContainers:
                - name: wait-for-db
                  image: busybox:1.35
                  command: ["sh", "-c", "true"]
                - name: log-shipper
                  image: fluentbit/fluent-bit:2.0
                  restartPolicy: Always
              containers:
                - name: base
                  image: placeholder
            """, t => t.OnKubernetes(k => k
                .InitContainer(new V1Container { Name = "wait-for-db", Image = "busybox:1.36" })
                .Sidecar(new V1Container { Name = "proxy", Image = "envoy:1" })));
        var init = pod.Spec.InitContainers;

        Assert.Equal(["wait-for-db", "log-shipper", "proxy"], init.Select(c => c.Name));
        Assert.Equal(("busybox:1.36", "true"), (init[0].Image, init[0].Command[2]));
        Assert.Equal(("Always", "Always"), (init[1].RestartPolicy, init[2].RestartPolicy));
    }

    [Fact]
    public void Env_merges_by_name_the_task_winning()
    {
        var pod = WithTemplate("""
              containers:
                - name: base
                  image: placeholder
                  env:
                    - {name: REGION, value: eu}
                    - name: LOG_LEVEL
                      valueFrom:
                        configMapKeyRef: {name: logging, key: level}
            """, t => t.Env("LOG_LEVEL", "INFO"));
        var env = pod.Base().Env;

        Assert.Equal(["REGION", "LOG_LEVEL", "PIPELINES_OUTPUT"], env.Select(e => e.Name));
        Assert.Equal(("INFO", null), (env[1].Value, env[1].ValueFrom)); // the task's whole variable replaces the template's
    }

    [Fact]
    public void Volumes_merge_by_name_and_a_template_volume_with_the_same_source_is_reused()
    {
        var pod = WithTemplate("""
              containers:
                - name: base
                  image: placeholder
              volumes:
                - name: shared-data
                  persistentVolumeClaim: {claimName: airflow-shared-pvc}
                - name: logs
                  emptyDir: {}
                - name: pvc-other
                  persistentVolumeClaim: {claimName: something-else}
            """, t => t.Mount(Volume.Named("airflow-shared-pvc"), "/shared").Mount(Volume.Temp(), "/logs").Mount(Volume.Named("other"), "/other"));
        var names = pod.Base().VolumeMounts.ToDictionary(m => m.MountPath, m => m.Name);

        Assert.Equal("shared-data", names["/shared"]);
        Assert.NotEqual("logs", names["/logs"]); // scratch space is never shared with the template's
        Assert.NotEqual("pvc-other", names["/other"]); // the template's name is taken by another source
        Assert.Equal("other", pod.Spec.Volumes.Single(v => v.Name == names["/other"]).PersistentVolumeClaim.ClaimName);
        Assert.Equal("something-else", pod.Spec.Volumes.Single(v => v.Name == "pvc-other").PersistentVolumeClaim.ClaimName);
        Assert.Equal(["shared-data", "logs", "pvc-other", "pipelines-output"], pod.Spec.Volumes.Take(4).Select(v => v.Name));
    }

    [Fact]
    public void Volume_mounts_merge_by_mount_path()
    {
        var pod = WithTemplate("""
              containers:
                - name: base
                  image: placeholder
                  volumeMounts:
                    - {name: logs, mountPath: /logs}
                    - {name: cache, mountPath: /data}
              volumes:
                - {name: logs, emptyDir: {}}
                - {name: cache, emptyDir: {}}
            """, t => t.Mount(Volume.Named("warehouse"), "/data", readOnly: true));
        var mounts = pod.Base().VolumeMounts;

        Assert.Equal(["/logs", "/data", "/pipelines"], mounts.Select(m => m.MountPath));
        Assert.Equal(("pvc-warehouse", true), (mounts[1].Name, mounts[1].ReadOnlyProperty));
    }

    [Fact]
    public void Tolerations_merge_by_key_operator_value_and_effect_keeping_the_templates()
    {
        var pod = WithTemplate("""
              containers:
                - name: base
                  image: placeholder
              tolerations:
                - {key: dedicated, operator: Equal, value: data-processing, effect: NoSchedule}
                - {key: spot, operator: Exists, effect: NoSchedule}
            """, t => t.OnKubernetes(k => k
                .Toleration("dedicated", "data-processing", TaintEffect.NoSchedule)
                .Toleration("gpu", null, TaintEffect.NoExecute, 30)));

        Assert.Equal(["dedicated", "spot", "gpu"], pod.Spec.Tolerations.Select(t => t.Key));
    }

    [Fact]
    public void Host_aliases_merge_by_ip_joining_host_names_and_pull_secrets_by_name()
    {
        var pod = WithTemplate("""
              containers:
                - name: base
                  image: placeholder
              hostAliases:
                - {ip: 172.17.0.1, hostnames: [metrics.internal]}
              imagePullSecrets:
                - {name: regcred}
            """, t => t.ExtraHost("warehouse.internal", "172.17.0.1").OnKubernetes(k => k.ImagePullSecrets("regcred", "other")));

        Assert.Equal(["metrics.internal", "warehouse.internal"], Assert.Single(pod.Spec.HostAliases).Hostnames);
        Assert.Equal(["regcred", "other"], pod.Spec.ImagePullSecrets.Select(s => s.Name));
    }

    [Fact]
    public void Maps_merge_key_by_key_the_task_winning()
    {
        var pod = WithTemplate("""
              containers:
                - name: base
                  image: placeholder
              nodeSelector: {workload: data-processing, disk: ssd}
              securityContext: {fsGroup: 1000, runAsNonRoot: true}
            """, t => t
            .Label("app", "airflow").Annotation("a", "task")
            .OnKubernetes(k => k.NodeSelector("disk", "nvme").FsGroup(2000)));

        Assert.Equal(("data-processing", "nvme"), (pod.Spec.NodeSelector["workload"], pod.Spec.NodeSelector["disk"]));
        Assert.Equal((2000L, true), (pod.Spec.SecurityContext.FsGroup, pod.Spec.SecurityContext.RunAsNonRoot));
        Assert.Equal("airflow", pod.Metadata.Labels["app"]);
    }

    [Fact]
    public void Template_labels_and_annotations_are_kept_under_the_tasks()
    {
        var root = TemplateProject("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: placeholder
              namespace: template-ns
              labels: {app: airflow-worker, tier: data-processing, pipelines.task: forged}
              annotations: {owner: platform, a: template}
            spec:
              containers: [{name: base, image: placeholder}]
            """);
        var pod = ToPod(Render(t => t.Label("app", "airflow").Annotation("a", "task").OnKubernetes(k => k.PodTemplateFile("pod.yaml")), root).Spec);

        Assert.Equal(("airflow", "data-processing", "t"), (pod.Metadata.Labels["app"], pod.Metadata.Labels["tier"], pod.Metadata.Labels["pipelines.task"]));
        Assert.Equal(("platform", "task"), (pod.Metadata.Annotations["owner"], pod.Metadata.Annotations["a"]));
        Assert.Equal("airflow-production", pod.Metadata.NamespaceProperty);
        Assert.NotEqual("placeholder", pod.Metadata.Name);
    }

    [Fact]
    public void A_template_restart_policy_other_than_never_is_replaced_with_a_warning()
    {
        var root = TemplateProject("""
            apiVersion: v1
            kind: Pod
            spec:
              restartPolicy: OnFailure
              containers: [{name: base, image: placeholder}]
            """);
        var spec = Render(t => t.OnKubernetes(k => k.PodTemplateFile("pod.yaml")), root);

        Assert.Equal("Never", ToPod(spec.Spec).Spec.RestartPolicy);
        Assert.Contains(spec.Diagnostics, d => d is { Severity: DiagnosticSeverity.Warning, Field: "kubernetes.podTemplateFile" });
    }
}
