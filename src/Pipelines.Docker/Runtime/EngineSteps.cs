using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pipelines.Docker.Rendering;

namespace Pipelines.Docker.Runtime;

/// <summary>
/// Steps around a container that a run's attempts, the <c>shell</c> verb and <c>clean</c> share: the non-root check,
/// the network a task names, and removing a container with its own volumes.
/// </summary>
internal static class EngineSteps
{
    /// <summary>Why the image would run as root though the task says runAsNonRoot and names no user; null when it would not.</summary>
    public static async Task<string?> NonRootProblemAsync(IDockerClient client, ContainerTask task, string image, CancellationToken cancellationToken)
    {
        if (task.RunAsNonRoot != true || task.RunAsUser is > 0)
        {
            return null;
        }

        var config = (await client.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false)).Config;
        var user = config?.User?.Split(':')[0] ?? string.Empty;
        return user is "" or "0" or "root"
            ? $"runAsNonRoot: image '{image}' runs as root ({(user.Length == 0 ? "it names no user" : $"user '{user}'")}) and the task sets no runAsUser; set one, or use an image with a non-root USER"
            : null;
    }

    /// <summary>
    /// Makes a network the environment or task names when it is missing, as Compose does, so a fresh engine runs the DAG;
    /// why it could not, or null. <paramref name="gate"/> keeps one host from making it twice (an engine before API 1.44
    /// makes a second network of the same name).
    /// </summary>
    public static async Task<string?> EnsureNetworkAsync(IDockerClient client, string? network, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        if (network is null or "" or "bridge" or "host" or "none" or "default" || network.StartsWith("container:", StringComparison.Ordinal))
        {
            return null;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            try
            {
                await client.Networks.InspectNetworkAsync(network, cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (DockerNetworkNotFoundException)
            {
            }

            await client.Networks.CreateNetworkAsync(
                new NetworksCreateParameters { Name = network, Driver = "bridge", Labels = new Dictionary<string, string> { ["pipelines.network"] = "true" } },
                cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            return null; // another host made it meanwhile
        }
        catch (DockerApiException ex)
        {
            return $"network '{network}' does not exist and could not be made: {ImagePuller.Message(ex)}";
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Removes a container (stopping it at once) and the volumes of its own (named after it, labelled with its store).</summary>
    public static async Task RemoveAsync(IDockerClient client, string? id, string containerName, string storeId, TimeProvider time)
    {
        for (var attempt = 1; id is not null; attempt++)
        {
            try
            {
                await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, CancellationToken.None).ConfigureAwait(false);
                break;
            }
            catch (DockerContainerNotFoundException)
            {
                break;
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                break; // already being removed
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.InternalServerError && attempt < 5)
            {
                // The vfs storage driver cannot always remove a root file system the moment its container stopped
                // ("directory not empty" while the last process's files go): ask again shortly.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time).ConfigureAwait(false);
            }
        }

        var volumes = await client.Volumes.ListAsync(
            new VolumesListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerRenderer.StoreLabel}={storeId}"] = true } },
            },
            CancellationToken.None).ConfigureAwait(false);
        foreach (var volume in (volumes.Volumes ?? []).Where(v => v.Name.StartsWith(containerName + "-", StringComparison.Ordinal)))
        {
            try
            {
                await client.Volumes.RemoveAsync(volume.Name, force: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
            {
            }
        }
    }
}
