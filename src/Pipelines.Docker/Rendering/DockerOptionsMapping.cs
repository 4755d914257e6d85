using Docker.DotNet.Models;
using Pipelines.Environments;
using Pipelines.Rendering;
using DockerUlimit = Docker.DotNet.Models.Ulimit;

namespace Pipelines.Docker.Rendering;

/// <summary>The <c>OnDocker</c> options; the patches run last, on the finished request.</summary>
internal static class DockerOptionsMapping
{
    public static void Apply(DockerOptions? options, EnvironmentConfig environment, CreateContainerParameters create, DiagnosticCollector diagnostics)
    {
        var host = create.HostConfig!;
        if ((options?.Network ?? environment.Docker.Network) is { Length: > 0 } network)
        {
            host.NetworkMode = network;
        }

        if (options is null)
        {
            return;
        }

        if (options.ShmSize is { } shm)
        {
            if (DockerSize.TryParse(shm, out var bytes))
            {
                host.ShmSize = bytes;
            }
            else
            {
                diagnostics.Error("docker.shmSize", $"'{shm}' is not a size; use {DockerSize.Expected}");
            }
        }

        create.Tty = options.Tty ?? false;
        if (!options.Ulimits.IsEmpty)
        {
            host.Ulimits = [.. options.Ulimits.Select(u => new DockerUlimit { Name = u.Name, Soft = u.Soft, Hard = u.Hard })];
        }
    }

    public static void Patch(DockerOptions? options, CreateContainerParameters create, DiagnosticCollector diagnostics)
    {
        if (options is null)
        {
            return;
        }

        var name = create.Name;
        for (var i = 0; i < options.Patches.Length; i++)
        {
            try
            {
                options.Patches[i](create);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A patch is user code: its failure is this task's render error, not a crash of the render.
                diagnostics.Error($"docker.patches[{i}]", $"the patch threw {ex.GetType().Name}: {ex.Message}");
            }
        }

        if (create.Name != name)
        {
            diagnostics.Error("docker.patches", $"a patch renamed the container to '{create.Name}'; the runtime finds an attempt's container by its name '{name}'");
        }

        if (create.HostConfig?.AutoRemove == true)
        {
            diagnostics.Error("docker.patches", "a patch set AutoRemove: the engine would remove the container before its output is read; Cleanup decides when containers are removed");
        }
    }
}
