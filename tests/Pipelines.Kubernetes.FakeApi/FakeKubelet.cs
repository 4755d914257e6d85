using k8s.Models;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>
/// Plays one pod's <see cref="PodScript"/>: the fake scheduler and kubelet of that pod. Made before the pod is
/// stored, so a first <see cref="PodScript.Delay"/> is armed before the pod's ADDED event is published.
/// </summary>
internal sealed class FakeKubelet
{
    private readonly ClusterState _state;
    private readonly IReadOnlyList<PodStep> _steps;
    private readonly Action<Exception> _onFailure;
    private Task? _armedDelay;

    public FakeKubelet(ClusterState state, PodScript script, Action<Exception> onFailure)
    {
        _state = state;
        _steps = script.Steps;
        _onFailure = onFailure;
        Arm(0);
    }

    /// <summary>Cancelled when the pod is deleted or the server stops.</summary>
    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>Runs the steps against the stored pod until one ends the script, the steps run out, or the pod goes.</summary>
    public async Task RunAsync(PodEntry entry)
    {
        var cancellation = Cancellation.Token;
        try
        {
            for (var i = 0; i < _steps.Count; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                switch (_steps[i])
                {
                    case DelayStep:
                        await _armedDelay!.ConfigureAwait(false);
                        Arm(i + 1);
                        break;
                    case LogStep { Cut: true } cut:
                        // A cut needs a reader to cut: wait for a follow stream (one not cut before).
                        await _state.WaitForFollowerAsync(entry, cut.Container, cancellation).ConfigureAwait(false);
                        Arm(i + 1);
                        Play(entry, cut);
                        break;
                    case WaitStep wait:
                        // The delay after a wait counts from the wait's end.
                        await wait.Wait(cancellation).WaitAsync(cancellation).ConfigureAwait(false);
                        Arm(i + 1);
                        break;
                    case var step:
                        // Armed before this step's change is published: whoever sees it may advance a fake clock.
                        Arm(i + 1);
                        if (!Play(entry, step))
                        {
                            return;
                        }

                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The pod was deleted or the server stopped.
        }
        catch (Exception e)
        {
            _onFailure(new InvalidOperationException($"The script of pod {entry.Namespace}/{entry.Name} failed: {e.Message}", e));
        }
    }

    // Plays one step; false when the script ends here.
    private bool Play(PodEntry entry, PodStep step)
    {
        switch (step)
        {
            case UnschedulableStep unschedulable:
                _state.Update(entry, u => PodStatusWriter.Unschedulable(u, unschedulable.Message));
                return false;
            case WaitingStep waiting:
                return _state.Update(entry, u => PodStatusWriter.Waiting(u, waiting.Reason, waiting.Message));
            case StartStep:
                return Start(entry);
            case LogStep log:
                _state.AppendLog(entry, log.Container, log.Lines, log.At, log.Cut);
                return true;
            case ExitStep exit:
                if (!_state.Read(entry, BaseRunning) && !Start(entry))
                {
                    return false;
                }

                _state.Update(entry, u => PodStatusWriter.Exit(u, exit.ExitCode, exit.Reason, TerminationMessage(entry, exit)));
                return false;
            case EvictStep evict:
                _state.Update(entry, u => PodStatusWriter.Evict(u, evict.Message));
                return false;
            case DeadlineStep:
                _state.Update(entry, PodStatusWriter.DeadlineExceeded);
                return false;
            default:
                throw new InvalidOperationException($"Unknown step {step}");
        }
    }

    // Scheduled and admitted (containers creating) in one change, then running in the next, as a cluster shows it.
    private bool Start(PodEntry entry) =>
        (_state.Read(entry, pod => pod.Status.StartTime is not null) || _state.Update(entry, PodStatusWriter.Admit))
        && _state.Update(entry, PodStatusWriter.Run);

    private static bool BaseRunning(V1Pod pod) => pod.Status.ContainerStatuses is [{ State.Running: not null }, ..];

    // Runs under the state lock (inside Update): reads the base container's log for FallbackToLogsOnError.
    private static string? TerminationMessage(PodEntry entry, ExitStep exit) =>
        string.IsNullOrEmpty(exit.TerminationMessage) && exit.ExitCode != 0
            && entry.Pod.Spec.Containers[0].TerminationMessagePolicy == "FallbackToLogsOnError"
            ? entry.Logs[entry.BaseContainer].Tail(80, 2048)
            : exit.TerminationMessage;

    private void Arm(int index)
    {
        if (index < _steps.Count && _steps[index] is DelayStep delay)
        {
            _armedDelay = Task.Delay(delay.Duration, _state.Time, Cancellation.Token);
        }
    }
}
