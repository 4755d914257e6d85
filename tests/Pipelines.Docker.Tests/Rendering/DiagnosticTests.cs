using Pipelines.Docker.Rendering;
using Pipelines.Kubernetes;
using Pipelines.Rendering;

namespace Pipelines.Docker.Tests.Rendering;

public sealed class DiagnosticTests
{
    private const DiagnosticSeverity Warning = DiagnosticSeverity.Warning;
    private const DiagnosticSeverity Error = DiagnosticSeverity.Error;

    private static readonly Dictionary<string, (Action<TaskBuilder> Configure, DiagnosticSeverity Severity, string Field, string Message)> Cases = new()
    {
        ["config map variables"] = (t => t.EnvFromConfigMap("app-config"), Warning, "envFrom[0]",
            "Docker has no config maps; the variables of config map 'app-config' are not set"),
        ["config map volume"] = (t => t.Mount(Volume.ConfigMap("app-config"), "/etc/app"), Warning, "mounts[0]",
            "Docker has no config maps; config map 'app-config' is not mounted at /etc/app"),
        ["ephemeral storage request"] = (t => t.Resources(requests: new(EphemeralStorage: "2Gi")), Warning, "resources.requests.ephemeral-storage",
            "Docker limits a container's writable layer only through a storage-driver option (overlay2 on xfs with pquota); 2Gi of ephemeral storage is not set"),
        ["ephemeral storage limit"] = (t => t.Resources(limits: new(EphemeralStorage: "5Gi")), Warning, "resources.limits.ephemeral-storage",
            "Docker limits a container's writable layer only through a storage-driver option (overlay2 on xfs with pquota); 5Gi of ephemeral storage is not set"),
        ["non-root without a user"] = (t => t.RunAsNonRoot(), Warning, "runAsNonRoot",
            "Docker has no non-root check; the runtime checks the image's user before start and refuses to run it as root"),
        ["non-root as root"] = (t => t.RunAs(0).RunAsNonRoot(), Error, "runAsNonRoot",
            "runAsNonRoot with runAsUser 0 (root): the runtime's non-root check refuses to start such a container"),
        ["privileged dropping capabilities"] = (t => t.Privileged().DropCapabilities("ALL"), Warning, "capabilities.drop",
            "a privileged container gets every capability: Docker ignores CapDrop"),
        ["output variable set as a secret"] = (t => t.SecretEnv("PIPELINES_OUTPUT", new SecretRef("s", "k")), Warning, "env.PIPELINES_OUTPUT",
            "PIPELINES_OUTPUT is set by Pipelines to /pipelines/output.json; the task's value is not used"),
        ["annotation colliding with a label"] = (t => t.Label("team", "data").Annotation("team", "platform"), Warning, "annotations.team",
            "Docker has no annotations, so annotations become labels; the label 'team' has the same key, and its value 'data' is kept"),
        ["label colliding with the identity"] = (t => t.Label("pipelines.dag", "other"), Warning, "labels.pipelines.dag",
            "'pipelines.dag' is an identity label set by Pipelines; the task's value is replaced"),
        ["output variable set by the task"] = (t => t.Env("PIPELINES_OUTPUT", "/tmp/out.json"), Warning, "env.PIPELINES_OUTPUT",
            "PIPELINES_OUTPUT is set by Pipelines to /pipelines/output.json; the task's value is not used"),
        ["read-only secret volume"] = (t => t.Mount(Volume.Secret("tls"), "/etc/tls", readOnly: true), Warning, "mounts[0].readOnly",
            "the secret files at /etc/tls are writable on Docker: the runtime writes them through the engine's archive API before start, which Docker refuses for a read-only mount"),
        ["secret volume sub-path"] = (t => t.Mount(Volume.Secret("tls"), "/etc/tls/ca.crt", subPath: "ca.crt"), Warning, "mounts[0].subPath",
            "a sub-path of a secret volume is not honoured on Docker; every file of secret 'tls' is at /etc/tls/ca.crt"),
        ["tiny cpu limit"] = (t => t.Resources(limits: new(Cpu: "1m")), Warning, "resources.limits.cpu",
            "1m is below Docker's smallest cpu limit; raised to 0.01 cpu (10m)"),
        ["two mounts at one path"] = (t => t.Mount(Volume.Named("a1"), "/data").Mount(Volume.Temp(), "/data/"), Error, "mounts[1].mountPath",
            "/data/ is mounted more than once; Docker refuses two mounts at one path"),
        ["mount over the output"] = (t => t.Mount(Volume.Named("shared"), "/pipelines"), Error, "mounts[0].mountPath",
            "/pipelines holds the task's output on Docker (/pipelines/output.json); mount elsewhere"),
        ["escaping sub-path"] = (t => t.Mount(Volume.HostPath("/data"), "/data", subPath: "../etc"), Error, "mounts[0].subPath",
            "'../etc' must be a relative path inside the volume, without '..'"),
        ["one-character volume name"] = (t => t.Mount(Volume.Named("v"), "/v"), Error, "mounts[0].volume.name",
            "'v' is not a Docker volume name; use letters, digits, '_', '.' and '-', starting with a letter or digit (two characters or more)"),
        ["tiny memory limit"] = (t => t.Resources(limits: new(Memory: "4Mi")), Error, "resources.limits.memory",
            "4194304 bytes is below Docker's minimum memory limit of 6Mi; the engine refuses such a container"),
        ["tiny memory request"] = (t => t.Resources(requests: new(Memory: "1Mi")), Error, "resources.requests.memory",
            "1048576 bytes is below Docker's minimum memory reservation of 6Mi; the engine refuses such a container"),
        ["patch that throws"] = (t => t.OnDocker(d => d.Patch(_ => throw new InvalidOperationException("boom"))), Error, "docker.patches[0]",
            "the patch threw InvalidOperationException: boom"),
        ["patch that auto-removes"] = (t => t.OnDocker(d => d.Patch(c => c.HostConfig!.AutoRemove = true)), Error, "docker.patches",
            "a patch set AutoRemove: the engine would remove the container before its output is read; Cleanup decides when containers are removed"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_setting_docker_cannot_honour_is_said_once(string name)
    {
        var (configure, severity, field, message) = Cases[name];

        DockerRender.Container(configure, out var diagnostics);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(new RenderDiagnostic(severity, "d", "t", "docker", field, message), diagnostic);
    }

    [Fact]
    public void A_patch_that_renames_the_container_is_an_error()
    {
        DockerRender.Container(t => t.OnDocker(d => d.Patch(c => c.Name = "mine")), out var diagnostics);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal((Error, "docker.patches"), (diagnostic.Severity, diagnostic.Field));
        Assert.StartsWith("a patch renamed the container to 'mine'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_host_path_is_an_error_also_in_a_task_made_without_build()
    {
        // Build() and rendering refuse it first; the renderer still guards a task made some other way.
        var attempt = DockerRender.Attempt(_ => { });
        attempt = attempt with { Task = attempt.Task with { Mounts = [new VolumeMount(Volume.HostPath("data"), "/data")] } };

        new ContainerRenderer().RenderContainer(attempt, out var diagnostics);

        Assert.Equal(
            new RenderDiagnostic(Error, "d", "t", "docker", "mounts[0].volume.path", "'data' is not an absolute path; Docker binds absolute paths of the engine's host only"),
            Assert.Single(diagnostics));
    }

    [Fact]
    public void A_group_without_a_user_is_a_warning()
    {
        var attempt = DockerRender.Attempt(_ => { });
        attempt = attempt with { Task = attempt.Task with { RunAsGroup = 5 } };

        var spec = new ContainerRenderer().RenderContainer(attempt, out var diagnostics);

        Assert.True(string.IsNullOrEmpty(spec.Create.User));
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(("runAsGroup", Warning), (diagnostic.Field, diagnostic.Severity));
    }

    [Fact]
    public void Diagnostics_reach_the_rendered_spec()
    {
        var spec = DockerRender.Spec(t => t.EnvFromConfigMap("app-config"));

        Assert.Equal("envFrom[0]", Assert.Single(spec.Diagnostics).Field);
        Assert.Equal(("t", "docker"), (spec.TaskId, spec.Target));
    }

    [Fact]
    public void Every_setting_docker_honours_renders_without_a_diagnostic()
    {
        DockerRender.Container(
            t => t
                .PullPolicy(ImagePullPolicy.IfNotPresent)
                .Command("python").Args("-m", "x").Env("A", "1")
                .SecretEnv("P", new SecretRef("creds", "password")).EnvFromSecret("creds", "DB_")
                .Mount(Volume.Named("shared"), "/shared", subPath: "a").Mount(Volume.HostPath("/data"), "/data", readOnly: true)
                .Mount(Volume.Temp("1Gi", inMemory: true), "/tmp", subPath: "x").Mount(Volume.Secret("tls", new KeyToPath("ca", "ca.crt")), "/etc/tls")
                .Resources(new(Cpu: "500m", Memory: "1Gi"), new(Cpu: "1", Memory: "2Gi")).Gpus(1)
                .RunAs(1000, 1000).RunAsNonRoot().ReadOnlyRootFilesystem().AddCapabilities("NET_ADMIN").DropCapabilities("ALL").Privileged(false)
                .WorkingDir("/work").ExtraHost("h", "10.0.0.1").Label("team", "data").Annotation("team", "data").Annotation("note", "n")
                .Retries(2).Timeout(TimeSpan.FromHours(1)).StopGracePeriod(TimeSpan.FromSeconds(5)).Cleanup(CleanupPolicy.Keep)
                .TriggerRule(TriggerRule.AllDone).SkipOnExitCode(99).Pool("db", 2)
                .OnDocker(d => d.Network("edge").ShmSize("64Mi").Tty().Ulimit("nofile", 10, 20).Patch(c => c.Hostname = "h")),
            out var diagnostics);

        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Kubernetes_only_options_are_ignored_without_a_diagnostic()
    {
        var plain = DockerRender.Spec(_ => { });
        var withKubernetes = DockerRender.Spec(t => t.OnKubernetes(k => k
            .ServiceAccount("airflow-worker")
            .PriorityClass("high-priority")
            .Toleration("dedicated", "data-processing", TaintEffect.NoSchedule)));

        Assert.Empty(withKubernetes.Diagnostics);
        Assert.Equal(plain.ToYaml(), withKubernetes.ToYaml());
    }
}
