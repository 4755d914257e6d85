using Pipelines.Environments;
using Pipelines.Resolution;

namespace Pipelines.Execution.Tests;

/// <summary>What is checked before a run starts anything.</summary>
public sealed class RunPreflightTests
{
    [Fact]
    public void A_templated_image_is_checked_before_a_run_starts()
    {
        var dag = new DagBuilder().Id("d").Schedule("@daily").Param("tag", "bad tag");
        dag.Container("t", "registry.localhost/etl/runner:<< params.tag >>");
        var run = RunContext.Create(dag.Build(), new DateOnly(2026, 11, 25), EnvironmentConfig.DefaultLocal);

        var resolved = Assert.Throws<PipelineDefinitionException>(() => TaskResolver.Resolve(run, run.Dag["t"]));
        var preflight = RunPreflight.Check(run, secrets: null, masker: null);

        Assert.Equal(Assert.Single(resolved.Problems), Assert.Single(preflight));
    }
}
