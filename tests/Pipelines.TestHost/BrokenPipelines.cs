using Pipelines;

namespace Pipelines.TestHost;

/// <summary>A valid DAG beside the broken ones: a broken DAG must not hide it.</summary>
public sealed class HealthyPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("healthy").Schedule("@hourly");
        dag.Container("only", "busybox:stable").Command("true");
    }
}

/// <summary>extract → transform → load → extract: a cycle <c>validate</c> must print as a path.</summary>
public sealed class CyclicPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("cyclic");
        var extract = dag.Container("extract", "busybox:stable");
        var transform = dag.Container("transform", "busybox:stable");
        var load = dag.Container("load", "busybox:stable");
        extract.Then(transform).Then(load).Then(extract);
    }
}

/// <summary>Several problems at once: all of them are reported.</summary>
public sealed class ManyProblemsPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("many_problems").Schedule("every day");
        dag.Container("bad id!", "busybox:stable");
        dag.Container("no_image", " ");
        dag.Container("greedy", "busybox:stable").Resources(limits: new(Memory: "2 GB"));
        dag.Container("orphan", "busybox:stable").DependsOn("missing");
    }
}
