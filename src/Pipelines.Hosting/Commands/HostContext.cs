using Pipelines.Validation;

namespace Pipelines.Hosting.Commands;

/// <summary>What every verb works with: the pipelines, and where to write.</summary>
internal sealed class HostContext(PipelineCatalog catalog, PipelineHostOptions options)
{
    public PipelineCatalog Catalog { get; } = catalog;

    public PipelineHostOptions Options { get; } = options;

    public TextWriter Out => Options.Out;

    public TextWriter Error => Options.Error;

    /// <summary>Finds a DAG by id, or writes the ids that exist and returns null.</summary>
    public PipelineEntry? FindOrReport(string dagId)
    {
        var entry = Catalog.Find(dagId);
        if (entry is null)
        {
            Error.WriteLine($"There is no DAG '{dagId}'; DAGs: {Names.ListSome(Catalog.Entries.Select(e => e.DagId), dagId)}");
        }

        return entry;
    }

    /// <summary>Writes a DAG's problems, one per line.</summary>
    public void WriteProblems(PipelineEntry entry, TextWriter writer)
    {
        writer.WriteLine($"✗ {entry.DagId}: {entry.Problems.Count} problem{(entry.Problems.Count == 1 ? "" : "s")}");
        foreach (var problem in entry.Problems)
        {
            writer.WriteLine($"  - {Describe(problem)}");
        }
    }

    private static string Describe(DefinitionProblem problem)
    {
        var where = problem.TaskId is null ? string.Empty : $"task '{problem.TaskId}'";
        if (problem.Field is not null)
        {
            where += (where.Length == 0 ? string.Empty : ", ") + $"field '{problem.Field}'";
        }

        return where.Length == 0 ? problem.Message : $"{where}: {problem.Message}";
    }
}
