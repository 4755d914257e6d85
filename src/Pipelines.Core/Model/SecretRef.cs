namespace Pipelines;

/// <summary>
/// A reference to one key of a named secret. The value is never part of a definition or of a
/// rendered spec: Kubernetes resolves it as a <c>secretKeyRef</c>; local runtimes resolve it only
/// when the attempt starts.
/// </summary>
/// <param name="Name">The secret's name (a Kubernetes Secret, or a secret of the environment).</param>
/// <param name="Key">The key inside the secret.</param>
public sealed record SecretRef(string Name, string Key)
{
    /// <summary>Shows the reference, never a value.</summary>
    public override string ToString() => $"secret:{Name}/{Key}";
}
