using System.CommandLine;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// <c>clean DAG [--env NAME] [--state FILE]</c>: removes the containers (and their volumes) the DAG's attempts left on the
/// Docker engine that no live run of this run store owns — those <c>runs DAG --orphans</c> lists first. A run that
/// is resumed afterwards runs again what those containers held.
/// </summary>
internal static class CleanCommand
{
    public static Command Create(HostContext context)
    {
        var dag = CommonOptions.DagArgument("The DAG whose left containers to remove.");
        var environment = CommonOptions.Environment();
        var state = CommonOptions.State();
        var command = new Command("clean", "Remove the containers a DAG's attempts left on the Docker engine that no live run owns.") { dag, environment, state };
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

        using (found)
        {
            foreach (var container in found.Mine)
            {
                await Pipelines.Docker.Runtime.DockerLeftovers.RemoveAsync(found.Client, container).ConfigureAwait(false);
                context.Out.WriteLine($"removed {container.Name} ({container.State}, {container.AttemptId})");
            }

            context.Out.WriteLine(found.Mine.Count == 0
                ? $"No containers of '{dagId}' to remove at {found.Engine}."
                : $"Removed {found.Mine.Count} container(s) of '{dagId}' at {found.Engine}.");
            if (found.Others.Count > 0)
            {
                context.Out.WriteLine($"Left {found.Others.Count} container(s) of other run stores; 'runs {dagId} --orphans' lists them.");
            }
        }

        return ExitCodes.Success;
    }
}
