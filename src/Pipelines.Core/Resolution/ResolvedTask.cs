using Pipelines.Environments;

namespace Pipelines.Resolution;

/// <summary>
/// One attempt of a task with every template resolved and the image's registry rewritten for the
/// environment: what a runtime receives. Secret values are still references.
/// </summary>
/// <param name="Task">The task with every string field resolved.</param>
/// <param name="Run">The run it belongs to.</param>
/// <param name="TryNumber">The attempt number, from 1.</param>
public sealed record ResolvedTask(ContainerTask Task, RunContext Run, int TryNumber)
{
    /// <summary>The DAG id.</summary>
    public string DagId => Run.Dag.Id;

    /// <summary>The environment.</summary>
    public EnvironmentConfig Environment => Run.Environment;
}
