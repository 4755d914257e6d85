namespace Pipelines;

/// <summary>
/// A pipeline written as C# code: <see cref="Define"/> declares one DAG on the builder. A host
/// program finds every public implementation with a parameterless constructor in its assembly.
/// </summary>
public interface IPipeline
{
    /// <summary>Declares the DAG: its id, schedule, parameters, tasks and dependencies.</summary>
    void Define(DagBuilder dag);
}
