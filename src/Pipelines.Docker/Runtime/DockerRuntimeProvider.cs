using Pipelines.Docker.Rendering;
using Pipelines.Execution.Runtimes;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Docker.Runtime;

/// <summary>
/// The Docker runtime as a host knows it: <c>docker</c>, whose specs are the create requests of
/// <see cref="ContainerRenderer"/>, first in <c>auto</c>'s order. Its probe asks the engine (the environment's
/// <c>docker.endpoint</c>, else <c>DOCKER_HOST</c>, else the local socket) and looks for every image of the DAG:
/// <c>auto</c> picks Docker only when the engine answers and every image is present; named, Docker runs when the engine
/// answers and pulls what is missing (unless a missing image's pull policy is <c>Never</c>).
/// </summary>
public sealed class DockerRuntimeProvider : IRuntimeProvider
{
    /// <summary>The runtime's name.</summary>
    public const string RuntimeName = "docker";

    /// <inheritdoc />
    public string Name => RuntimeName;

    /// <inheritdoc />
    public ISpecRenderer Renderer { get; } = new ContainerRenderer();

    /// <inheritdoc />
    public bool Automatic => true;

    /// <inheritdoc />
    public async ValueTask<RuntimeProbe> ProbeAsync(RunContext run, string projectRoot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        DockerEngine engine;
        try
        {
            engine = DockerEngine.For(run.Environment);
        }
        catch (DockerUnreachableException ex)
        {
            return RuntimeProbe.Unavailable(ex.Problem);
        }

        try
        {
            using var client = await engine.ConnectAsync(DockerEngine.ProbeTimeout, cancellationToken).ConfigureAwait(false);
            var missing = new List<(string Image, ImagePullPolicy Policy)>();
            foreach (var (image, policy) in Images(run))
            {
                if (!await ImagePuller.IsPresentAsync(client, image, cancellationToken).ConfigureAwait(false))
                {
                    missing.Add((image, ImagePuller.Effective(policy, image)));
                }
            }

            if (missing.Count == 0)
            {
                return RuntimeProbe.Ready($"an engine answered at {engine} and every image is present");
            }

            var names = string.Join(", ", missing.Select(m => $"'{m.Image}'"));
            var what = $"an engine answered at {engine}, but {(missing.Count == 1 ? "image" : "images")} {names} {(missing.Count == 1 ? "is" : "are")} not present ('images build {run.Dag.Id}' builds the examples' images; 'docker pull' others)";
            return missing.Any(m => m.Policy == ImagePullPolicy.Never)
                ? RuntimeProbe.Unavailable(what + "; a pull policy of Never forbids pulling them")
                : RuntimeProbe.WhenNamed(what);
        }
        catch (DockerUnreachableException ex)
        {
            return RuntimeProbe.Unavailable($"no engine answered at {engine}: {ex.Problem} (start one — 'dockerd', or 'sudo systemctl start docker' — or point docker.endpoint in pipelines.json or DOCKER_HOST at one)");
        }
    }

    /// <inheritdoc />
    public IContainerRuntime Create(RuntimeSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return new DockerRuntime(DockerEngine.For(setup.Run.Environment), setup.Secrets, setup.Masker, setup.StoreId, setup.Time);
    }

    /// <inheritdoc />
    public async ValueTask<ILeftoverInventory?> OpenInventoryAsync(Environments.EnvironmentConfig environment, string projectRoot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        DockerEngine engine;
        try
        {
            engine = DockerEngine.For(environment);
        }
        catch (DockerUnreachableException ex)
        {
            throw new RuntimeUnreachableException(ex.Message);
        }

        return await DockerLeftovers.OpenAsync(engine, cancellationToken).ConfigureAwait(false);
    }

    // Each image of the DAG once, as an attempt names it (templates resolved, registry rewritten), with its pull policy.
    private static IEnumerable<(string Image, ImagePullPolicy? Policy)> Images(RunContext run)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in run.Dag.Tasks)
        {
            string image;
            try
            {
                image = TaskResolver.Preview(run, task).Task.Image;
            }
            catch (PipelineDefinitionException)
            {
                continue; // preflight reports it
            }

            if (seen.Add(image))
            {
                yield return (image, task.ImagePullPolicy);
            }
        }
    }
}
