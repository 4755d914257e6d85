namespace Pipelines.Docker.Rendering;

/// <summary>Every key of a secret as environment variables, resolved when the attempt starts.</summary>
/// <param name="SecretName">The secret.</param>
/// <param name="Prefix">Prepended to each key to make the variable name; null for none.</param>
public sealed record DockerSecretEnvSource(string SecretName, string? Prefix);
