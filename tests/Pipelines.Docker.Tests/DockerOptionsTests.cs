using Docker.DotNet.Models;
using Pipelines.Docker;

namespace Pipelines.Docker.Tests;

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

    [Theory]
    [InlineData("1g", 1073741824L)]
    [InlineData("512m", 536870912L)]
    [InlineData("64k", 65536L)]
    [InlineData("1024", 1024L)]
    [InlineData("1G", 1073741824L)]
    [InlineData("1.5g", 1610612736L)]
    [InlineData("2 GB", 2147483648L)]
    [InlineData("1GiB", 1073741824L)]
    [InlineData("256Mi", 268435456L)]
    [InlineData("100b", 100L)]
    public void Shm_size_takes_dockers_own_size_syntax(string size, long bytes)
    {
        var builder = new DagBuilder().Id("d");
        builder.Container("t", "img").OnDocker(d => d.ShmSize(size));

        Assert.Equal(size, builder.Build()["t"].RuntimeOptions.Get<DockerOptions>()!.ShmSize);
        Assert.True(DockerSize.TryParse(size, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("1x")]
    [InlineData("-1g")]
    [InlineData(".5g")]
    [InlineData("1.2.3m")]
    [InlineData("2e3")]
    [InlineData("1gbb")]
    [InlineData("1  g")]
    [InlineData("")]
    [InlineData("99999999999p")]
    public void A_shm_size_docker_would_not_take_is_a_definition_problem(string size)
    {
        var builder = new DagBuilder().Id("d");
        builder.Container("t", "img").OnDocker(d => d.ShmSize(size));

        var problem = Assert.Single(Assert.Throws<PipelineDefinitionException>(() => builder.Build()).Problems);

        Assert.Equal(("docker.shmSize", $"'{size}' is not a size; use {DockerSize.Expected}"), (problem.Field, problem.Message));
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
