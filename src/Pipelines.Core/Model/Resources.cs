namespace Pipelines;

/// <summary>
/// Amounts of cpu, memory and ephemeral storage, written as Kubernetes quantities
/// (<c>500m</c>, <c>1</c>, <c>1Gi</c>, <c>2e3</c>); null leaves one unset.
/// </summary>
public sealed record ResourceSet(string? Cpu = null, string? Memory = null, string? EphemeralStorage = null)
{
    /// <summary>No amounts set.</summary>
    public static ResourceSet None { get; } = new();

    /// <summary>True when no amount is set.</summary>
    public bool IsEmpty => Cpu is null && Memory is null && EphemeralStorage is null;
}

/// <summary>What a task asks for (requests), may not exceed (limits), and how many GPUs it needs.</summary>
public sealed record ResourceRequirements(ResourceSet Requests, ResourceSet Limits, int? Gpus = null)
{
    /// <summary>Nothing requested, nothing limited.</summary>
    public static ResourceRequirements None { get; } = new(ResourceSet.None, ResourceSet.None);
}
