using Pipelines.Environments;
using Pipelines.Execution.Runtimes;
using Pipelines.Hosting.Catalog;
using Pipelines.Rendering;
using Pipelines.Text;
using Pipelines.Validation;

namespace Pipelines.Hosting.Commands;

/// <summary>What every verb works with: the pipelines, the runtimes and their renderers, the project's config, and where to write.</summary>
/// <param name="Catalog">The pipelines.</param>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="WorkingDirectory">Where <c>pipelines.json</c> is looked for, walking up.</param>
/// <param name="GetEnvironmentVariable">Reads an environment variable.</param>
/// <param name="Runtimes">The runtimes, in the order <c>auto</c> tries them.</param>
internal sealed class HostContext(
    PipelineCatalog Catalog,
    TextWriter Out,
    TextWriter Error,
    string WorkingDirectory,
    Func<string, string?> GetEnvironmentVariable,
    IReadOnlyList<IRuntimeProvider> Runtimes)
{
    public PipelineCatalog Catalog { get; } = Catalog;

    public TextWriter Out { get; } = Out;

    public TextWriter Error { get; } = Error;

    /// <summary>Reads a variable of the host's environment (<c>PIPELINES_ENVIRONMENT</c>, <c>DOCKER_HOST</c>).</summary>
    public Func<string, string?> Variable { get; } = GetEnvironmentVariable;

    public IReadOnlyList<IRuntimeProvider> Runtimes { get; } = Runtimes;

    /// <summary>The clock "now" is read from.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The same context writing elsewhere (one run of a backfill, its lines marked).</summary>
    public HostContext WritingTo(TextWriter output, TextWriter error) =>
        new(Catalog, output, error, WorkingDirectory, Variable, Runtimes) { Time = Time };

    /// <summary>The renderers of the runtimes' targets, by target name (<c>kubernetes</c>, <c>docker</c>).</summary>
    public IReadOnlyDictionary<string, ISpecRenderer> Renderers { get; } = Runtimes
        .Where(r => r.Renderer is not null)
        .ToDictionary(r => r.Renderer!.Target, r => r.Renderer!, StringComparer.Ordinal);

    /// <summary>What <c>--runtime</c> and an environment's <c>runtime</c> accept: <c>auto</c> and each runtime's name.</summary>
    public IReadOnlyList<string> RuntimeNames { get; } = ["auto", .. Runtimes.Select(r => r.Name)];

    /// <summary>The project's <c>pipelines.json</c>, once <see cref="ConfigOrReport"/> has read it.</summary>
    public PipelinesConfig? Config { get; private set; }

    /// <summary>Reads <c>pipelines.json</c> once (walking up from the working directory); writes why not and returns null.</summary>
    public PipelinesConfig? ConfigOrReport()
    {
        try
        {
            return Config ??= PipelinesConfig.Load(WorkingDirectory, RuntimeNames);
        }
        catch (PipelinesConfigException ex)
        {
            Error.WriteLine(ex.Message);
            return null;
        }
    }

    /// <summary>Finds a DAG by id, or writes the ids that exist and returns null.</summary>
    public PipelineEntry? FindOrReport(string dagId)
    {
        var entry = Catalog.Find(dagId);
        if (entry is null)
        {
            Error.WriteLine($"There is no DAG '{dagId}'; DAGs: {NameList.Some(Catalog.Entries.Select(e => e.DagId), dagId)}");
        }

        return entry;
    }

    /// <summary>Finds a DAG that builds, or writes why not and returns null.</summary>
    public Dag? ValidDagOrReport(string dagId)
    {
        var entry = FindOrReport(dagId);
        if (entry is { IsValid: false })
        {
            WriteProblems(entry, Error);
        }

        return entry?.Dag;
    }

    /// <summary>
    /// Reads <c>pipelines.json</c>, picks the environment and makes the run for a date; writes
    /// what is wrong and returns null on bad input.
    /// </summary>
    public RunContext? RunOrReport(Dag dag, RunDate date, string? environmentName, IReadOnlyDictionary<string, string> parameters, string runKind = "manual")
    {
        if (ConfigOrReport() is not { } config)
        {
            return null;
        }

        if (date.Resolve(dag, out var dateError) is not { } logical)
        {
            Error.WriteLine(dateError);
            return null;
        }

        if (dag.StartDate is { } start && logical < start)
        {
            Error.WriteLine($"--date '{date}' is before the start date of DAG '{dag.Id}' ({RunDate.Iso(start)}); its first run is on or after it.");
            return null;
        }

        if (dag.EndDate is { } end && logical > end)
        {
            Error.WriteLine($"--date '{date}' is after the end date of DAG '{dag.Id}' ({RunDate.Iso(end)}); it has no runs after it.");
            return null;
        }

        try
        {
            var environment = config.SelectEnvironment(environmentName, Variable);
            return RunContext.Create(dag, logical, environment, parameters, runKind);
        }
        catch (PipelinesConfigException ex)
        {
            Error.WriteLine(ex.Message);
        }
        catch (PipelineDefinitionException ex)
        {
            foreach (var problem in ex.Problems)
            {
                Error.WriteLine($"error: {problem}");
            }
        }

        return null;
    }

    /// <summary>Writes a DAG's problems, one per line.</summary>
    public void WriteProblems(PipelineEntry entry, TextWriter writer) => WriteProblems(entry.DagId, entry.Problems, writer);

    /// <summary>Writes problems of a DAG, one per line.</summary>
    public void WriteProblems(string dagId, IReadOnlyList<DefinitionProblem> problems, TextWriter writer)
    {
        writer.WriteLine($"✗ {dagId}: {problems.Count} problem{(problems.Count == 1 ? "" : "s")}");
        foreach (var problem in problems)
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
