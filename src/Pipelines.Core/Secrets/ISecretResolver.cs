using System.Diagnostics.CodeAnalysis;

namespace Pipelines.Secrets;

/// <summary>
/// Resolves secret references to values for runtimes that run on this machine (processes, Docker).
/// Kubernetes resolves its own secrets; values never appear in definitions or rendered specs.
/// </summary>
public interface ISecretResolver
{
    /// <summary>Resolves one key of a secret.</summary>
    /// <param name="secret">The secret name and key.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns>True when the key was found.</returns>
    bool TryResolve(SecretRef secret, [MaybeNullWhen(false)] out string value);

    /// <summary>Resolves every key of a secret (for <c>envFrom</c> and secret volumes).</summary>
    /// <param name="secretName">The secret's name.</param>
    /// <returns>Key → value, or null when the secret does not exist.</returns>
    IReadOnlyDictionary<string, string>? TryResolveAll(string secretName);
}
