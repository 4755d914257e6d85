using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pipelines.Docker.Images;
using Pipelines.Docker.Rendering;
using Pipelines.Docker.Runtime;
using Pipelines.Environments;
using Pipelines.Secrets;
using Pipelines.Tests.Shared;

namespace Pipelines.Docker.Tests.Runtime;

/// <summary>
/// A Docker runtime on the engine this machine has (the one <c>.ci/run</c> starts), for one test class: a run store id of
/// its own, so its containers and volumes are its alone and are removed when it is disposed. The test images are made
/// here from Debian's static busybox. Without an engine the test skips with the reason (and fails under <c>CI=true</c>).
/// </summary>
internal sealed class DockerTestBed : IAsyncDisposable
{
    /// <summary>The image the tests run: busybox, made here.</summary>
    public const string Image = "registry.localhost/contract/busybox:1";

    private static readonly SemaphoreSlim ImageGate = new(1, 1);
    private static bool _imageReady;

    private DockerTestBed(DockerEngine engine, DockerClient client, Dictionary<string, string> secrets)
    {
        Engine = engine;
        Client = client;
        SecretValues = secrets;
        Masker = new SecretMasker();
        Runtime = new DockerRuntime(engine, new EnvironmentSecretResolver(null, secrets), Masker, StoreId, TimeProvider.System);
    }

    /// <summary>The engine.</summary>
    public DockerEngine Engine { get; }

    /// <summary>A client of the engine, for what a test checks.</summary>
    public DockerClient Client { get; }

    /// <summary>This bed's run store id.</summary>
    public string StoreId { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>The runtime.</summary>
    public DockerRuntime Runtime { get; }

    /// <summary>The masker the runtime registers secrets with.</summary>
    public SecretMasker Masker { get; }

    /// <summary>The secret variables (<c>PIPELINES_SECRET_…</c>) the runtime resolves.</summary>
    public Dictionary<string, string> SecretValues { get; }

    /// <summary>A bed on this machine's engine with the test image present; skips (or fails under CI=true) without an engine.</summary>
    public static async Task<DockerTestBed> StartAsync(Dictionary<string, string>? secrets = null)
    {
        var engine = DockerEngine.For(EnvironmentConfig.DefaultLocal);
        DockerClient client;
        try
        {
            client = await engine.ConnectAsync(DockerEngine.ProbeTimeout, TestContext.Current.CancellationToken);
        }
        catch (DockerUnreachableException ex)
        {
            MachineRequirement.Unmet($"no Docker engine: {ex.Message} (.ci/run starts one: dockerd)");
            throw;
        }

        if (BusyboxImage.Problem(BusyboxImage.DefaultBusybox) is { } problem)
        {
            client.Dispose();
            MachineRequirement.Unmet(problem);
        }

        await EnsureImageAsync(client, Image);
        return new DockerTestBed(engine, client, secrets ?? []);
    }

    /// <summary>Makes a busybox image named <paramref name="image"/> unless the engine has it.</summary>
    public static async Task EnsureImageAsync(IDockerClient client, string image)
    {
        await ImageGate.WaitAsync();
        try
        {
            if (image == Image && _imageReady)
            {
                return;
            }

            try
            {
                await client.Images.InspectImageAsync(image);
            }
            catch (DockerImageNotFoundException)
            {
                await BusyboxImage.ImportAsync(client, image);
            }

            _imageReady |= image == Image;
        }
        finally
        {
            ImageGate.Release();
        }
    }

    /// <summary>Every container of this bed's store (running or not).</summary>
    public async Task<IList<ContainerListResponse>> ContainersAsync() =>
        await Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerRenderer.StoreLabel}={StoreId}"] = true } },
        });

    /// <summary>Every volume of this bed's store.</summary>
    public async Task<IList<VolumeResponse>> VolumesAsync() =>
        (await Client.Volumes.ListAsync(new VolumesListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerRenderer.StoreLabel}={StoreId}"] = true } },
        })).Volumes ?? [];

    /// <summary>The container of an attempt of this store.</summary>
    public string ContainerName(Pipelines.Execution.Runtimes.AttemptKey attempt) =>
        $"{Pipelines.Attempts.AttemptNames.ResourceName(attempt.DagId, attempt.RunId, attempt.TaskId, attempt.TryNumber)}-{StoreId}";

    public async ValueTask DisposeAsync()
    {
        foreach (var container in await ContainersAsync())
        {
            await Client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
        }

        foreach (var volume in await VolumesAsync())
        {
            await Client.Volumes.RemoveAsync(volume.Name, force: true);
        }

        Client.Dispose();
    }
}
