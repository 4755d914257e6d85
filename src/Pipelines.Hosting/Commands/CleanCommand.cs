using System.CommandLine;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// <c>clean DAG [--env NAME] [--state FILE]</c>: removes the containers (and their volumes) or pods the DAG's attempts
/// left on the environment's runtime that no live run of this run store owns — those <c>runs DAG --orphans</c> lists first. A run that
/// is resumed afterwards runs again what those containers held.
/// </summary>
internal static class CleanCommand
{
    public static Command Create(HostContext context)
    {
        var dag = CommonOptions.DagArgument("The DAG whose left containers to remove.");
        var environment = CommonOptions.Environment();
        var state = CommonOptions.State();
        var command = new Command("clean", "Remove the containers (Docker) or pods (Kubernetes) a DAG's attempts left that no live run owns.") { dag, environment, state };
        command.SetAction((result, cancellationToken) => RunAsync(context, result.GetValue(dag)!, result.GetValue(environment), result.GetValue(state), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(HostContext context, string dagId, string? environmentName, string? statePath, CancellationToken cancellationToken)
    {
        var (found, exitCode) = await Orphans.FindAsync(context, dagId, statePath, environmentName, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return exitCode;
        }

        foreach (var left in found)
        {
            using (left)
            {
                foreach (var resource in left.Mine)
                {
                    await left.Inventory.RemoveAsync(resource, cancellationToken).ConfigureAwait(false);
                    context.Out.WriteLine($"removed {resource.Name} ({resource.State}, {resource.AttemptId})");
                }

                context.Out.WriteLine(left.Mine.Count == 0
                    ? $"No {left.Kinds()} of '{dagId}' to remove at {left.Inventory.Location}."
                    : $"Removed {left.Mine.Count} {left.Inventory.Kind}(s) of '{dagId}' at {left.Inventory.Location}.");
                if (left.Others.Count > 0)
                {
                    context.Out.WriteLine($"Left {left.Others.Count} {left.Inventory.Kind}(s) of other run stores; 'runs {dagId} --orphans' lists them.");
                }
            }
        }

        return ExitCodes.Success;
    }
}
