namespace Pipelines;

/// <summary>An environment variable with a literal (templated) value.</summary>
public sealed record EnvVar(string Name, string Value);

/// <summary>An environment variable whose value comes from a secret key at run time.</summary>
public sealed record SecretEnvVar(string Name, SecretRef Secret);

/// <summary>What an <see cref="EnvSource"/> imports every key of.</summary>
public enum EnvSourceKind
{
    /// <summary>A secret: every key becomes a variable.</summary>
    Secret,

    /// <summary>A config map: every key becomes a variable.</summary>
    ConfigMap,
}

/// <summary>Every key of a secret or config map as environment variables, optionally prefixed.</summary>
public sealed record EnvSource(EnvSourceKind Kind, string Name, string? Prefix = null);
