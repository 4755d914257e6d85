using Pipelines.Docker.Rendering;
using Pipelines.Rendering;

namespace Pipelines.Docker.Tests.Rendering;

public sealed class DeterminismTests
{
    private static void Busy(TaskBuilder t) => t
        .Command("python", "-m", "x").Args("--date", "<< ds >>")
        .Env("B", "2").Env("A", "1").SecretEnv("S", new SecretRef("s", "k"))
        .Label("zeta", "z").Label("alpha", "a").Annotation("mid", "m")
        .Mount(Volume.Named("shared"), "/shared").Mount(Volume.Temp("1Gi"), "/tmp").Mount(Volume.Secret("tls"), "/etc/tls")
        .Resources(new(Cpu: "250m", Memory: "256Mi"), new(Cpu: "1", Memory: "1Gi")).StopGracePeriod(TimeSpan.FromSeconds(15))
        .OnDocker(d => d.Network("edge").Ulimit("nproc", 1, 2).Ulimit("nofile", 3, 4));

    [Fact]
    public void Two_renders_of_the_same_attempt_give_the_same_yaml_bytes()
    {
        var first = CanonicalYaml.Write(DockerRender.Spec(Busy).Spec);
        var second = CanonicalYaml.Write(new ContainerRenderer().Render(DockerRender.Attempt(Busy), "/elsewhere").Spec);

        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(first), System.Text.Encoding.UTF8.GetBytes(second));
        Assert.Contains("--date", first, StringComparison.Ordinal);
        Assert.Contains("\"2026-11-25\"", first, StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_is_the_same_too()
    {
        Assert.Equal(DockerRender.Spec(Busy).Spec.ToJsonString(), DockerRender.Spec(Busy).Spec.ToJsonString());
    }
}
