namespace Pipelines;

/// <summary>One problem in a DAG definition, named by DAG, task and field.</summary>
/// <param name="DagId">The DAG.</param>
/// <param name="TaskId">The task, or null for a DAG-level problem.</param>
/// <param name="Field">The field, such as <c>args[1]</c>, or null.</param>
/// <param name="Message">What is wrong and what would be valid.</param>
public sealed record DefinitionProblem(string DagId, string? TaskId, string? Field, string Message)
{
    /// <summary>The problem on one line: <c>dag 'd', task 't', field 'f': message</c>.</summary>
    public override string ToString()
    {
        var where = $"dag '{DagId}'";
        if (TaskId is not null)
        {
            where += $", task '{TaskId}'";
        }

        if (Field is not null)
        {
            where += $", field '{Field}'";
        }

        return $"{where}: {Message}";
    }
}
