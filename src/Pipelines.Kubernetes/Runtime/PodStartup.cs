using Pipelines.Execution.Runtimes;

namespace Pipelines.Kubernetes.Runtime;

/// <summary>
/// Waits for a pod's base container to start, on the watch's events and two clocks: the startup timeout (a pod the
/// scheduler cannot place fails then, with the scheduler's message) and a short grace for a container that waits on
/// something that does not heal by itself (<c>ErrImagePull</c>, <c>ImagePullBackOff</c>, <c>InvalidImageName</c>,
/// <c>CreateContainerConfigError</c>): it fails after the grace, not after the whole timeout.
/// </summary>
internal static class PodStartup
{
    /// <summary>A start slower than this is worth the pod's warnings in the task log.</summary>
    public static readonly TimeSpan SlowStart = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The outcome: started (<c>Failure</c> null, not <c>Cancelled</c>), failed to start, or cancelled first; <c>Troubled</c>
    /// when the start was slow or went through a state worth explaining (unschedulable, a pull error), so the pod's warnings
    /// are worth a request.
    /// </summary>
    public readonly record struct Outcome(AttemptResult? Failure, bool Cancelled, bool Troubled = false);

    public static async Task<Outcome> WaitAsync(PodWatch watch, string name, TimeSpan startupTimeout, TimeSpan grace, TimeProvider time, CancellationToken cancellationToken)
    {
        var begun = time.GetUtcNow();
        var deadline = begun + startupTimeout;
        DateTimeOffset? failingSince = null;
        var troubled = false;
        while (true)
        {
            var (pod, deleted) = watch.Current(name);
            var (stage, reason, message) = PodStatus.Stage(pod, deleted);
            var now = time.GetUtcNow();
            switch (stage)
            {
                case PodStage.Running or PodStage.Ended:
                    return new(null, false, troubled || now - begun >= SlowStart);
                case PodStage.Gone:
                    return new(AttemptResult.Lost(AttemptLoss.RuntimeError, $"the pod was deleted by someone else before its container started"), false);
                case PodStage.Unschedulable:
                    troubled = true;
                    failingSince = null;
                    break;
                case PodStage.Failing:
                    troubled = true;
                    failingSince ??= now;
                    if (now - failingSince >= grace)
                    {
                        return new(AttemptResult.Lost(PodStatus.LossOf(reason), $"{reason}: {message} (the container could not start for {grace.TotalSeconds:0.#} s, the task's start failure grace)"), false);
                    }

                    break;
                default:
                    failingSince = null;
                    break;
            }

            if (now >= deadline)
            {
                var why = stage == PodStage.Unschedulable
                    ? $"the pod could not be scheduled within {startupTimeout.TotalSeconds:0.#} s (the task's startup timeout): {message}"
                    : $"the pod did not start within {startupTimeout.TotalSeconds:0.#} s (the task's startup timeout){(reason is null ? string.Empty : $": {reason}")}{(message is null ? string.Empty : $" {message}")}";
                return new(AttemptResult.Lost(AttemptLoss.StartupTimeout, why), false);
            }

            var wake = failingSince is { } since && since + grace < deadline ? since + grace : deadline;
            try
            {
                await watch.WaitAsync(name, (p, d) => !ReferenceEquals(p, pod) || d != deleted, wake, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new(null, true);
            }
            catch (KubernetesWatchException ex)
            {
                return new(AttemptResult.Lost(AttemptLoss.RuntimeError, ex.Message), false);
            }
        }
    }
}
