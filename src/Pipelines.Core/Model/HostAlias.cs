namespace Pipelines;

/// <summary>An extra line for the container's hosts file: <paramref name="Host"/> resolves to <paramref name="Ip"/>.</summary>
public sealed record HostAlias(string Host, string Ip);
