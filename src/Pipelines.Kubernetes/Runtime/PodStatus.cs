using System.Text;
using k8s.Models;
using Pipelines.Attempts;
using Pipelines.Execution.Runtimes;

namespace Pipelines.Kubernetes.Runtime;

/// <summary>Where a pod is on its way, as the runtime decides on it.</summary>
internal enum PodStage
{
    /// <summary>Not seen yet, or pending with nothing wrong (being scheduled, pulling, creating).</summary>
    Pending,

    /// <summary>Pending and the scheduler cannot place it (fails at the startup timeout, with the scheduler's message).</summary>
    Unschedulable,

    /// <summary>The base container waits for a reason that does not heal by itself (a pull error, a missing secret): fails after the grace.</summary>
    Failing,

    /// <summary>The base container runs.</summary>
    Running,

    /// <summary>The base container ended, or the pod did (evicted, past its deadline, an init container failed).</summary>
    Ended,

    /// <summary>The pod was deleted before its base container ended.</summary>
    Gone,
}

/// <summary>Reads a pod's status: its stage, and once it ended, what the attempt ended with. Pure; the base container alone decides.</summary>
internal static class PodStatus
{
    /// <summary>Waiting reasons of the base container that mean it will not start without a change.</summary>
    public static readonly ImmutableHashSet<string> FailingReasons =
    [
        "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable",
        "CreateContainerConfigError", "CreateContainerError", "RunContainerError",
    ];

    /// <summary>The pod's stage and, for a pending one, why (reason, message).</summary>
    public static (PodStage Stage, string? Reason, string? Message) Stage(V1Pod? pod, bool deleted)
    {
        var base_ = Base(pod);
        if (base_?.State?.Terminated is not null || pod?.Status?.Phase is "Succeeded" or "Failed")
        {
            return (PodStage.Ended, pod?.Status?.Reason, pod?.Status?.Message);
        }

        if (deleted)
        {
            return (PodStage.Gone, null, null);
        }

        if (pod is null)
        {
            return (PodStage.Pending, null, null);
        }

        if (base_?.State?.Running is not null)
        {
            return (PodStage.Running, null, null);
        }

        if (base_?.State?.Waiting is { Reason: { } waiting } w && FailingReasons.Contains(waiting))
        {
            return (PodStage.Failing, waiting, w.Message);
        }

        if (InitFailure(pod) is { } init)
        {
            return (PodStage.Failing, init.Reason, init.Message);
        }

        if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled") is { Status: "False" } scheduled)
        {
            return (PodStage.Unschedulable, scheduled.Reason ?? "Unschedulable", scheduled.Message);
        }

        return (PodStage.Pending, base_?.State?.Waiting?.Reason, base_?.State?.Waiting?.Message);
    }

    /// <summary>The loss a start-up failure is, for its waiting reason.</summary>
    public static AttemptLoss LossOf(string? reason) => reason switch
    {
        "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName" or "ErrImageNeverPull" or "RegistryUnavailable" => AttemptLoss.ImagePull,
        _ => AttemptLoss.StartFailed,
    };

    /// <summary>What an ended pod means for its attempt (<paramref name="deletedByOthers"/>: someone else deleted it).</summary>
    public static AttemptResult Result(V1Pod pod, bool deletedByOthers)
    {
        var status = pod.Status;
        var terminated = Base(pod)?.State?.Terminated;
        if (status?.Reason == "Evicted")
        {
            return AttemptResult.Lost(AttemptLoss.Evicted, $"Evicted: {status.Message ?? "the node evicted the pod"}");
        }

        if (status?.Reason == "DeadlineExceeded")
        {
            var deadline = pod.Spec?.ActiveDeadlineSeconds is { } s ? $" ({s} s, the task's execution timeout)" : string.Empty;
            return AttemptResult.Stopped($"DeadlineExceeded: the pod ran longer than its activeDeadlineSeconds{deadline}", terminated?.ExitCode);
        }

        if (deletedByOthers)
        {
            var code = terminated is null ? string.Empty : $"; its container was stopped with exit code {terminated.ExitCode}";
            return AttemptResult.Lost(AttemptLoss.RuntimeError, $"the pod was deleted by someone else (kubectl delete, a node drain) before its container ended{code}");
        }

        if (terminated is null)
        {
            return InitFailure(pod) is { } init
                ? AttemptResult.Lost(AttemptLoss.StartFailed, $"{init.Reason}: {init.Message}")
                : AttemptResult.Lost(AttemptLoss.RuntimeError, $"the pod ended ({status?.Phase}{(status?.Reason is { } r ? ", " + r : string.Empty)}) before its container ran: {status?.Message}");
        }

        var (output, problem) = Output(terminated.Message);
        var reason = terminated.Reason == "OOMKilled" ? Oom(pod) : null;
        return AttemptResult.Exited(terminated.ExitCode, output, reason) with { OutputProblem = problem };
    }

    /// <summary>
    /// The output from the termination message: none when empty. The kubelet keeps at most 4096 bytes of it, so a
    /// message of that size that is not JSON was cut: the limit every runtime has.
    /// </summary>
    public static (string? Output, string? Problem) Output(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return (null, null);
        }

        var bytes = Encoding.UTF8.GetByteCount(message);
        if (bytes >= AttemptContract.MaxOutputBytes && !IsJson(message))
        {
            return (null, $"the output is longer than the kubelet keeps of a termination message (it was cut at {bytes} bytes); the limit is {AttemptContract.MaxOutputBytes} bytes on every runtime");
        }

        return (message, null);
    }

    /// <summary>
    /// True when the pod was deleted (by someone else: the runtime asks only when it stops an attempt) before its base
    /// container ended on its own: it never ended, or ended after the deletion was asked for (the deletion timestamp is
    /// the request's time plus the grace period).
    /// </summary>
    public static bool KilledByDeletion(V1Pod pod, bool deleted)
    {
        if (!deleted && pod.Metadata?.DeletionTimestamp is null)
        {
            return false;
        }

        if (Base(pod)?.State?.Terminated is not { } terminated)
        {
            return true;
        }

        if (pod.Metadata?.DeletionTimestamp is not { } at)
        {
            return false;
        }

        var requested = at - TimeSpan.FromSeconds(pod.Metadata.DeletionGracePeriodSeconds ?? 0);
        return terminated.FinishedAt is not { } finished || finished >= requested;
    }

    /// <summary>The base container's status.</summary>
    public static V1ContainerStatus? Base(V1Pod? pod) =>
        pod?.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == KubernetesNames.BaseContainer);

    private static string Oom(V1Pod pod)
    {
        var limit = pod.Spec?.Containers?.FirstOrDefault(c => c.Name == KubernetesNames.BaseContainer)?.Resources?.Limits is { } limits
            && limits.TryGetValue("memory", out var memory) ? $" of {memory}" : string.Empty;
        return $"OOMKilled: the container used more than its memory limit{limit}; raise the task's memory limit";
    }

    private static (string Reason, string Message)? InitFailure(V1Pod pod)
    {
        foreach (var init in pod.Status?.InitContainerStatuses ?? [])
        {
            if (init.State?.Terminated is { ExitCode: not 0 } t)
            {
                return ("InitContainerFailed", $"init container '{init.Name}' exited with code {t.ExitCode}{(t.Reason is null ? string.Empty : $" ({t.Reason})")}");
            }

            if (init.State?.Waiting is { Reason: { } reason } w && FailingReasons.Contains(reason))
            {
                return (reason, $"init container '{init.Name}': {w.Message}");
            }
        }

        return null;
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = System.Text.Json.JsonDocument.Parse(text);
            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
