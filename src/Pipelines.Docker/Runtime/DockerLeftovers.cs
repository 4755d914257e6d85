using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pipelines.Attempts;
using Pipelines.Docker.Rendering;
using Pipelines.Execution.Runtimes;

namespace Pipelines.Docker.Runtime;

/// <summary>A container Pipelines made for an attempt, as found on the engine by its labels.</summary>
/// <param name="Id">The container's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="State">The engine's state: <c>running</c>, <c>exited</c>, <c>created</c>, ….</param>
/// <param name="StoreId">The run store whose attempt it is.</param>
/// <param name="AttemptId">The attempt: <c>dag/run/task/try</c>.</param>
/// <param name="RunLabel">The run, as its label has it (<see cref="AttemptNames.LabelValue"/>).</param>
internal sealed record AttemptContainer(string Id, string Name, string State, string StoreId, string AttemptId, string RunLabel);

/// <summary>
/// The containers a DAG's runs left on an engine (kept by a cleanup policy, or left by a host that died and was never
/// resumed), found by the labels every attempt's container carries; and their removal with their volumes.
/// </summary>
internal static class DockerLeftovers
{
    /// <summary>Every container of <paramref name="dagId"/>'s attempts on the engine, of any run store, oldest name first.</summary>
    public static async Task<IReadOnlyList<AttemptContainer>> ListAsync(IDockerClient client, string dagId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var containers = await client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { [$"{AttemptNames.DagLabel}={AttemptNames.LabelValue(dagId)}"] = true, [ContainerRenderer.StoreLabel] = true },
                },
            },
            cancellationToken).ConfigureAwait(false);
        // A shell's container belongs to the user at its terminal, not to a run: never a leftover.
        return [.. containers
            .Where(c => !c.Labels[ContainerRenderer.StoreLabel].StartsWith(DockerShell.StorePrefix, StringComparison.Ordinal))
            .Select(c => new AttemptContainer(
                c.ID,
                c.Names?.FirstOrDefault()?.TrimStart('/') ?? c.ID,
                c.State,
                c.Labels[ContainerRenderer.StoreLabel],
                c.Labels.TryGetValue(AttemptNames.AttemptAnnotation, out var attempt) ? attempt : "?",
                c.Labels.TryGetValue(AttemptNames.RunLabel, out var run) ? run : "?"))
            .OrderBy(c => c.Name, StringComparer.Ordinal)];
    }

    /// <summary>The leftovers on <paramref name="engine"/>, for <c>runs --orphans</c> and <c>clean</c>.</summary>
    /// <exception cref="RuntimeUnreachableException">No engine answered.</exception>
    public static async Task<ILeftoverInventory> OpenAsync(DockerEngine engine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        try
        {
            var client = await engine.ConnectAsync(DockerEngine.ProbeTimeout, cancellationToken).ConfigureAwait(false);
            return new Inventory(engine, client);
        }
        catch (DockerUnreachableException ex)
        {
            throw new RuntimeUnreachableException($"{ex.Message}. Start an engine ('dockerd', or 'sudo systemctl start docker') or point docker.endpoint in pipelines.json or DOCKER_HOST at one.");
        }
    }

    /// <summary>Removes a container (stopping it first) and its own volumes (named after it).</summary>
    public static Task RemoveAsync(IDockerClient client, AttemptContainer container)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(container);
        return EngineSteps.RemoveAsync(client, container.Id, container.Name, container.StoreId, TimeProvider.System);
    }

    private sealed class Inventory(DockerEngine engine, DockerClient client) : ILeftoverInventory
    {
        public string Kind => "container";

        public string Location => engine.ToString();

        public async Task<IReadOnlyList<AttemptResource>> ListAsync(string dagId, CancellationToken cancellationToken)
        {
            try
            {
                return [.. (await DockerLeftovers.ListAsync(client, dagId, cancellationToken).ConfigureAwait(false))
                    .Select(c => new AttemptResource(c.Name, c.State, c.StoreId, c.AttemptId, c.RunLabel, c.Id))];
            }
            catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException)
            {
                throw new RuntimeUnreachableException($"The engine at {engine} did not list containers: {ex.Message}");
            }
        }

        public Task RemoveAsync(AttemptResource resource, CancellationToken cancellationToken) =>
            EngineSteps.RemoveAsync(client, resource.Handle, resource.Name, resource.StoreId, TimeProvider.System);

        public void Dispose() => client.Dispose();
    }
}
