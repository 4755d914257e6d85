namespace Pipelines.Execution.Runtimes;

/// <summary>Something a runtime made for an attempt and keeps outside the run store (a container, a pod), found by its labels.</summary>
/// <param name="Name">Its name.</param>
/// <param name="State">The runtime's word for its state: <c>running</c>, <c>exited</c>, <c>Succeeded</c>, ….</param>
/// <param name="StoreId">The run store whose attempt it is.</param>
/// <param name="AttemptId">The attempt: <c>dag/run/task/try</c>.</param>
/// <param name="RunLabel">The run, as its label has it.</param>
/// <param name="Handle">What the runtime finds it by again (a container id, <c>namespace/pod</c>).</param>
public sealed record AttemptResource(string Name, string State, string StoreId, string AttemptId, string RunLabel, string Handle);

/// <summary>
/// What a DAG's attempts left on a runtime — kept by a cleanup policy, or left by a host that died and was never
/// resumed — for <c>runs DAG --orphans</c> and <c>clean DAG</c>: listed by labels, of every run store, and removed one by one.
/// </summary>
public interface ILeftoverInventory : IDisposable
{
    /// <summary>What it holds, singular: <c>container</c>, <c>pod</c>.</summary>
    string Kind { get; }

    /// <summary>Where, for messages: the engine's endpoint, the cluster and namespace.</summary>
    string Location { get; }

    /// <summary>Everything <paramref name="dagId"/>'s attempts left, of any run store, by name.</summary>
    Task<IReadOnlyList<AttemptResource>> ListAsync(string dagId, CancellationToken cancellationToken);

    /// <summary>Stops and removes one (with what belongs to it only: a container's own volumes).</summary>
    Task RemoveAsync(AttemptResource resource, CancellationToken cancellationToken);
}

/// <summary>A runtime cannot be reached to list or remove what attempts left; the message says where and what to do.</summary>
public sealed class RuntimeUnreachableException(string message) : Exception(message);
