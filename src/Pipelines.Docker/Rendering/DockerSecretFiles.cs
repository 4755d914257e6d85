namespace Pipelines.Docker.Rendering;

/// <summary>
/// A secret volume on Docker: the runtime writes the secret's keys as files into the per-attempt
/// volume <paramref name="Volume"/> through the engine's archive API before the container starts
/// (Docker has no secret volumes outside swarm; no value is part of the rendered spec).
/// </summary>
/// <param name="Volume">The per-attempt volume mounted at <paramref name="MountPath"/>.</param>
/// <param name="MountPath">Where the container sees the files.</param>
/// <param name="SecretName">The secret.</param>
/// <param name="Items">The keys to write and their relative paths; empty for every key, each named as its key.</param>
public sealed record DockerSecretFiles(string Volume, string MountPath, string SecretName, ImmutableArray<KeyToPath> Items);
