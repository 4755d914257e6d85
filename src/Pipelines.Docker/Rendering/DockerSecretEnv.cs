namespace Pipelines.Docker.Rendering;

/// <summary>An environment variable whose value the runtime reads from a secret when the attempt starts.</summary>
/// <param name="Name">The variable name.</param>
/// <param name="Secret">The secret key it comes from — a reference, never a value.</param>
public sealed record DockerSecretEnv(string Name, SecretRef Secret);
