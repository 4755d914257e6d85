namespace Pipelines.Hosting.Catalog;

/// <summary>One pipeline of a host: its DAG when it builds, else the problems that stop it.</summary>
public sealed class PipelineEntry
{
    internal PipelineEntry(string dagId, Type source, Dag? dag, IReadOnlyList<DefinitionProblem> problems)
    {
        DagId = dagId;
        Source = source;
        Dag = dag;
        Problems = problems;
    }

    /// <summary>The DAG id (the type name when the definition has no usable id).</summary>
    public string DagId { get; }

    /// <summary>The <see cref="IPipeline"/> type that defines it.</summary>
    public Type Source { get; }

    /// <summary>The built DAG, or null when it has problems.</summary>
    public Dag? Dag { get; }

    /// <summary>Every definition problem; empty when the DAG is valid.</summary>
    public IReadOnlyList<DefinitionProblem> Problems { get; }

    /// <summary>True when the DAG built without problems.</summary>
    public bool IsValid => Dag is not null && Problems.Count == 0;
}
