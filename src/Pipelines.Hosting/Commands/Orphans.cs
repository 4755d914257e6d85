using Pipelines.Attempts;
using Pipelines.Environments;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// What a DAG's attempts left on the environment's runtime — containers on a Docker engine, pods in a namespace — sorted
/// by who owns them: a run of this project's run store that a live host holds (never touched), one of this store that no
/// live host holds — kept by a cleanup policy, or left by a host that died and was not resumed — (an orphan: <c>clean</c>
/// removes it), or another run store's (shown, never removed: this host cannot tell whether it lives). The runtime is
/// the one the environment names; <c>auto</c> looks on the runtimes it may pick (the Docker engine).
/// </summary>
internal sealed record Orphans(ILeftoverInventory Inventory, IReadOnlyList<AttemptResource> Mine, IReadOnlyList<AttemptResource> Others) : IDisposable
{
    public void Dispose() => Inventory.Dispose();

    /// <summary>What is left on each runtime of the environment; null (the reason written, with the exit code to end with) when the DAG, environment or runtime cannot be had.</summary>
    public static async Task<(IReadOnlyList<Orphans>? Found, int ExitCode)> FindAsync(HostContext context, string dagId, string? statePath, string? environmentName, CancellationToken cancellationToken)
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

        var providers = environment.Runtime == "auto"
            ? context.Runtimes.Where(r => r.Automatic)
            : context.Runtimes.Where(r => r.Name == environment.Runtime);
        var found = new List<Orphans>();
        using var store = RunsCommand.OpenExisting(context, statePath, out _);
        var storeId = store?.StoreId;
        var live = store is null ? [] : LiveRuns(store, dagId);
        foreach (var provider in providers)
        {
            ILeftoverInventory? inventory = null;
            try
            {
                inventory = await provider.OpenInventoryAsync(environment, config.RootDirectory, cancellationToken).ConfigureAwait(false);
                if (inventory is null)
                {
                    continue;
                }

                var left = await inventory.ListAsync(dagId, cancellationToken).ConfigureAwait(false);
                var mine = left.Where(c => c.StoreId == storeId && !live.Contains(c.RunLabel)).ToList();
                var others = left.Where(c => c.StoreId != storeId).ToList();
                found.Add(new Orphans(inventory, mine, others));
            }
            catch (RuntimeUnreachableException ex)
            {
                inventory?.Dispose();
                foreach (var done in found)
                {
                    done.Dispose();
                }

                context.Error.WriteLine(ex.Message);
                return (null, ExitCodes.Failure);
            }
        }

        return (found, ExitCodes.Success);
    }

    /// <summary>The kind, plural, capitalised when asked: <c>Containers</c>, <c>pods</c>.</summary>
    public string Kinds(bool capital = false) => (capital ? char.ToUpperInvariant(Inventory.Kind[0]) + Inventory.Kind[1..] : Inventory.Kind) + "s";

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

    /// <summary>Writes the containers or pods as a table under a heading.</summary>
    public static void Write(TextWriter writer, string heading, IReadOnlyList<AttemptResource> containers)
    {
        writer.WriteLine(heading);
        var width = containers.Max(c => c.Name.Length);
        foreach (var c in containers)
        {
            writer.WriteLine($"  {c.Name.PadRight(width)}  {c.State,-8}  {c.AttemptId}");
        }
    }
}
