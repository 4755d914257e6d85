namespace Pipelines;

/// <summary>A DAG parameter, read in templates as <c>params.NAME</c>; a run may override it.</summary>
/// <param name="Name">The name.</param>
/// <param name="Default">The default: a string, long, double or bool.</param>
/// <param name="Description">What it means, for <c>list</c> and docs.</param>
public sealed record DagParam(string Name, object? Default, string? Description = null);
