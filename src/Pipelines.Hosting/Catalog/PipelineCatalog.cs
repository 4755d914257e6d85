using System.Reflection;

namespace Pipelines.Hosting.Catalog;

/// <summary>
/// The pipelines a host knows: every public, non-abstract <see cref="IPipeline"/> with a
/// parameterless constructor in the given assemblies, each defined and built once. A definition
/// that fails to build is kept with its problems, so one broken DAG does not hide the others.
/// </summary>
public sealed class PipelineCatalog
{
    private readonly List<PipelineEntry> _entries;

    private PipelineCatalog(List<PipelineEntry> entries) => _entries = entries;

    /// <summary>Every pipeline, ordered by DAG id.</summary>
    public IReadOnlyList<PipelineEntry> Entries => _entries;

    /// <summary>Finds the pipelines defined in <paramref name="assemblies"/>.</summary>
    public static PipelineCatalog FromAssemblies(params Assembly[] assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        var types = assemblies
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => typeof(IPipeline).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } && t.GetConstructor(Type.EmptyTypes) is not null)
            .Distinct()
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        return FromPipelines(types.Select(t => (IPipeline)Activator.CreateInstance(t)!));
    }

    /// <summary>Builds a catalog from pipeline instances.</summary>
    public static PipelineCatalog FromPipelines(IEnumerable<IPipeline> pipelines)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        var entries = pipelines.Select(Define).ToList();
        foreach (var group in entries.GroupBy(e => e.DagId, StringComparer.Ordinal).Where(g => g.Count() > 1).ToList())
        {
            var sources = string.Join(", ", group.Select(e => e.Source.FullName));
            foreach (var entry in group)
            {
                var index = entries.IndexOf(entry);
                entries[index] = new PipelineEntry(entry.DagId, entry.Source, null,
                    [.. entry.Problems, new DefinitionProblem(entry.DagId, null, "id", $"DAG id '{entry.DagId}' is defined more than once: {sources}")]);
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.DagId, b.DagId));
        return new PipelineCatalog(entries);
    }

    /// <summary>Finds a pipeline by DAG id.</summary>
    public PipelineEntry? Find(string dagId) => _entries.FirstOrDefault(e => e.DagId == dagId);

    private static PipelineEntry Define(IPipeline pipeline)
    {
        var type = pipeline.GetType();
        var builder = new DagBuilder();
        try
        {
            pipeline.Define(builder);
            var dag = builder.Build();
            return new PipelineEntry(dag.Id, type, dag, []);
        }
        catch (PipelineDefinitionException ex)
        {
            var id = ex.Problems.Count > 0 && ex.Problems[0].DagId.Length > 0 ? ex.Problems[0].DagId : type.Name;
            return new PipelineEntry(id, type, null, ex.Problems);
        }
        catch (Exception ex)
        {
            // A DSL call refused its argument, or Define itself threw: a definition problem of this
            // pipeline, so the other pipelines stay usable.
            return new PipelineEntry(type.Name, type, null, [new DefinitionProblem(type.Name, null, null, $"{type.FullName}.Define failed: {ex.Message}")]);
        }
    }
}
