using Docker.DotNet;
using Pipelines.Attempts;
using Pipelines.Docker.Runtime;
using Pipelines.Environments;
using Pipelines.Execution.State;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// The containers a DAG's attempts left on the environment's Docker engine, sorted by who owns them: a run of this
/// project's run store that a live host holds (never touched), one of this store that no live host holds — kept by a
/// cleanup policy, or left by a host that died and was not resumed — (an orphan: <c>clean</c> removes it), or another
/// run store's (shown, never removed: this host cannot tell whether it lives).
/// </summary>
internal sealed record Orphans(DockerEngine Engine, DockerClient Client, IReadOnlyList<AttemptContainer> Mine, IReadOnlyList<AttemptContainer> Others) : IDisposable
{
    public void Dispose() => Client.Dispose();

    /// <summary>Null (the reason written, with the exit code to end with) when the DAG, environment or engine cannot be had.</summary>
    public static async Task<(Orphans? Found, int ExitCode)> FindAsync(HostContext context, string dagId, string? statePath, string? environmentName, CancellationToken cancellationToken)
    {
        if (context.FindOrReport(dagId) is null || context.ConfigOrReport() is not { } config)
        {
            return (null, ExitCodes.UsageError);
        }

        EnvironmentConfig environment;
        try
        {
            environment = config.SelectEnvironment(environmentName, context.Variable);
        }
        catch (PipelinesConfigException ex)
        {
            context.Error.WriteLine(ex.Message);
            return (null, ExitCodes.UsageError);
        }

        var engine = DockerEngine.For(environment, context.Variable);
        DockerClient client;
        try
        {
            client = await engine.ConnectAsync(DockerEngine.ProbeTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerUnreachableException ex)
        {
            context.Error.WriteLine($"{ex.Message}. Start an engine ('dockerd', or 'sudo systemctl start docker') or point docker.endpoint in pipelines.json or DOCKER_HOST at one.");
            return (null, ExitCodes.Failure);
        }

        var containers = await DockerLeftovers.ListAsync(client, dagId, cancellationToken).ConfigureAwait(false);
        using var store = RunsCommand.OpenExisting(context, statePath, out _);
        var storeId = store?.StoreId;
        var live = store is null ? [] : LiveRuns(store, dagId);
        var mine = containers.Where(c => c.StoreId == storeId && !live.Contains(c.RunLabel)).ToList();
        var others = containers.Where(c => c.StoreId != storeId).ToList();
        return (new Orphans(engine, client, mine, others), ExitCodes.Success);
    }

    // The runs of the DAG a live host holds (its lock is taken), by their label.
    private static HashSet<string> LiveRuns(IRunStore store, string dagId)
    {
        var live = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in store.ListRuns(dagId).Where(r => r.State == RunState.Running))
        {
            using var probe = store.TryLockRun(dagId, run.RunId, out _);
            if (probe is null)
            {
                live.Add(AttemptNames.LabelValue(run.RunId));
            }
        }

        return live;
    }

    /// <summary>Writes the containers as a table under a heading.</summary>
    public static void Write(TextWriter writer, string heading, IReadOnlyList<AttemptContainer> containers)
    {
        writer.WriteLine(heading);
        var width = containers.Max(c => c.Name.Length);
        foreach (var c in containers)
        {
            writer.WriteLine($"  {c.Name.PadRight(width)}  {c.State,-8}  {c.AttemptId}");
        }
    }
}
