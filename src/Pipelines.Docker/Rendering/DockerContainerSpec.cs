using Docker.DotNet.Models;

namespace Pipelines.Docker.Rendering;

/// <summary>
/// One task attempt rendered for a Docker engine: everything the Docker runtime sends, and what it
/// must do around the create call. Secrets appear only as references, resolved when the attempt
/// starts, so a spec can be printed, stored or snapshot-tested safely.
/// </summary>
/// <param name="Name">The container name (<see cref="Attempts.AttemptNames.ResourceName"/>), the same in <see cref="Create"/>.</param>
/// <param name="Create">
/// The create-container request exactly as the runtime sends it, patches applied. A mutable
/// Docker.DotNet model: the runtime adds the resolved secret variables to its <c>Env</c> just before
/// sending; nothing else is changed.
/// </param>
/// <param name="PullPolicy">When to pull the image (a runtime step, not a create field); null for the runtime's default.</param>
/// <param name="Volumes">The named volumes the create request mounts: create each if missing; per-attempt ones are removed with the container.</param>
/// <param name="SecretEnv">Variables whose values come from secret keys, added to <c>Env</c> when the attempt starts, in this order.</param>
/// <param name="SecretEnvFrom">Whole secrets whose keys become variables when the attempt starts.</param>
/// <param name="SecretFiles">Secret keys written as files into their per-attempt volumes before the container starts.</param>
/// <param name="OutputPath">The file the task writes its output JSON to (<c>$PIPELINES_OUTPUT</c>), in a per-attempt volume.</param>
public sealed record DockerContainerSpec(
    string Name,
    CreateContainerParameters Create,
    ImagePullPolicy? PullPolicy,
    ImmutableArray<DockerVolume> Volumes,
    ImmutableArray<DockerSecretEnv> SecretEnv,
    ImmutableArray<DockerSecretEnvSource> SecretEnvFrom,
    ImmutableArray<DockerSecretFiles> SecretFiles,
    string OutputPath);
