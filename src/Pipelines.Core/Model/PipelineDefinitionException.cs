namespace Pipelines;

/// <summary>A DAG definition has problems; <see cref="Problems"/> lists every one of them.</summary>
public sealed class PipelineDefinitionException : Exception
{
    /// <summary>Creates the exception for a list of problems.</summary>
    public PipelineDefinitionException(IReadOnlyList<DefinitionProblem> problems)
        : base(Describe(problems)) => Problems = problems;

    /// <summary>Every problem found, in definition order.</summary>
    public IReadOnlyList<DefinitionProblem> Problems { get; }

    private static string Describe(IReadOnlyList<DefinitionProblem> problems)
    {
        var dag = problems.Count > 0 ? problems[0].DagId : "?";
        var lines = string.Join(Environment.NewLine, problems.Select(p => "  - " + p));
        return $"DAG '{dag}' is not valid ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):{Environment.NewLine}{lines}";
    }
}
