namespace Pipelines.Kubernetes.FakeApi;

/// <summary>
/// Holds every pod whose script reached <see cref="PodScript.Until"/> with this gate until the test calls
/// <see cref="Open"/>. Opening is for good: later pods pass at once.
/// </summary>
public sealed class PodGate
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether the gate is open.</summary>
    public bool IsOpen => _opened.Task.IsCompleted;

    /// <summary>Lets every waiting pod (and every later one) go on.</summary>
    public void Open() => _opened.TrySetResult();

    internal Task WaitAsync(CancellationToken cancellationToken) => _opened.Task.WaitAsync(cancellationToken);
}
