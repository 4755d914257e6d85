using Docker.DotNet.Models;
using Pipelines.Docker;

namespace Pipelines.Docker.Tests.Options;

public sealed class DockerOptionsTests
{
    [Fact]
    public void Every_docker_setting_lands_in_the_task_options()
    {
        var builder = new DagBuilder().Id("d");
        builder.Container("t", "img").OnDocker(d => d
            .Network("edge")
            .ShmSize("256Mi")
            .Tty()
            .Ulimit("nofile", 1024, 2048)
            .Patch(p => p.Hostname = "patched"));

        var options = builder.Build()["t"].RuntimeOptions.Get<DockerOptions>()!;
        var request = new CreateContainerParameters();
        options.Patches.Single()(request);

        Assert.Equal(("edge", "256Mi", true), (options.Network, options.ShmSize, options.Tty));
        Assert.Equal(new Ulimit("nofile", 1024, 2048), options.Ulimits.Single());
        Assert.Equal("patched", request.Hostname);
    }

    [Theory]
    [InlineData("shm", "docker.shmSize")]
    [InlineData("ulimit", "docker.ulimits[0].name")]
    [InlineData("soft", "docker.ulimits[0]")]
    public void Invalid_docker_settings_are_definition_problems(string which, string field)
    {
        var builder = new DagBuilder().Id("d");
        builder.Container("t", "img").OnDocker(d => _ = which switch
        {
            "shm" => d.ShmSize("lots"),
            "ulimit" => d.Ulimit("files", 1, 2),
            _ => d.Ulimit("nofile", 10, 5),
        });

        var problem = Assert.Single(Assert.Throws<PipelineDefinitionException>(() => builder.Build()).Problems);

        Assert.Equal(field, problem.Field);
    }

    [Fact]
    public void Docker_string_settings_are_templated()
    {
        var options = new DockerOptions { Network = "<< var.network >>", ShmSize = "<< params.shm >>" };

        var mapped = (DockerOptions)options.MapStrings((value, field) => $"{field}={value}");

        Assert.Equal("docker.network=<< var.network >>", mapped.Network);
        Assert.Equal("docker.shmSize=<< params.shm >>", mapped.ShmSize);
    }
}
