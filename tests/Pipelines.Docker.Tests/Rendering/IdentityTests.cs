using Pipelines.Attempts;
using Pipelines.Docker.Rendering;
using Pipelines.Rendering;

namespace Pipelines.Docker.Tests.Rendering;

public sealed class IdentityTests
{
    private const string RunId = "manual__2026-11-25T00:00:00+00:00";

    [Fact]
    public void The_container_is_named_for_the_attempt()
    {
        var expected = AttemptNames.ResourceName("d", RunId, "t", 1);

        var spec = DockerRender.Spec(_ => { });
        var container = DockerRender.Container(_ => { });

        Assert.Equal(expected, spec.Name);
        Assert.Equal(expected, (string?)spec.Spec["name"]);
        Assert.Equal(expected, container.Name);
        Assert.Equal(expected, container.Create.Name);
    }

    [Fact]
    public void Each_try_gets_its_own_container_and_output_volume()
    {
        var renderer = new ContainerRenderer();

        var first = renderer.RenderContainer(DockerRender.Attempt(_ => { }, tryNumber: 1), out _);
        var second = renderer.RenderContainer(DockerRender.Attempt(_ => { }, tryNumber: 2), out _);

        Assert.NotEqual(first.Name, second.Name);
        Assert.NotEqual(first.Volumes.Single().Name, second.Volumes.Single().Name);
        Assert.Equal("2", second.Create.Labels[AttemptNames.TryLabel]);
    }

    [Fact]
    public void Labels_are_the_task_labels_the_annotations_and_the_attempt_identity()
    {
        var labels = DockerRender.Container(t => t.Label("team", "data").Annotation("prometheus.io/scrape", "true")).Create.Labels;

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["pipelines.attempt"] = $"d/{RunId}/t/1",
                ["pipelines.dag"] = "d",
                ["pipelines.run"] = AttemptNames.LabelValue(RunId),
                ["pipelines.task"] = "t",
                ["pipelines.try"] = "1",
                ["prometheus.io/scrape"] = "true",
                ["team"] = "data",
            },
            labels);
    }

    [Fact]
    public void Per_attempt_volumes_carry_the_attempt_identity_so_a_restarted_host_can_remove_them()
    {
        var spec = DockerRender.Container(t => t.Label("team", "data").Mount(Volume.Secret("tls"), "/etc/tls").Mount(Volume.Named("shared"), "/s"));

        var perAttempt = spec.Volumes.Where(v => v.PerAttempt).ToList();
        Assert.Equal([spec.Name + "-secret-0", spec.Name + "-output"], perAttempt.Select(v => v.Name));
        Assert.All(perAttempt, v => Assert.Equal($"d/{RunId}/t/1", v.Labels[AttemptNames.AttemptAnnotation]));
        Assert.All(perAttempt, v => Assert.False(v.Labels.ContainsKey("team")));
        Assert.Empty(spec.Volumes.Single(v => v.Name == "shared").Labels);
    }

    [Fact]
    public void Labels_are_sorted_in_the_document()
    {
        var labels = DockerRender.Spec(t => t.Label("zeta", "1").Label("alpha", "2").Annotation("mid", "3")).Spec["create"]!["Labels"]!.AsObject();

        var keys = labels.Select(p => p.Key).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
    }
}
