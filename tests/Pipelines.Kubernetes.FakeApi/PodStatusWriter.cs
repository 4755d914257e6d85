using System.Security.Cryptography;
using System.Text;
using k8s.Models;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>The status changes the fake scheduler and kubelet make, as a 1.32 cluster shows them.</summary>
internal static class PodStatusWriter
{
    /// <summary>The node every pod is scheduled to.</summary>
    public const string NodeName = "fake-node";

    private const string HostIp = "10.0.0.10";
    private static int _nextPodIp;

    /// <summary>Binds the pod to the node (PodScheduled=True, a Scheduled event); false when it already is.</summary>
    public static bool Schedule(PodUpdate u)
    {
        var pod = u.Pod;
        if (!string.IsNullOrEmpty(pod.Spec.NodeName))
        {
            return false;
        }

        pod.Spec.NodeName = NodeName;
        SetCondition(u, "PodScheduled", "True");
        u.Event("Normal", "Scheduled", $"Successfully assigned {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} to {NodeName}", "default-scheduler");
        return true;
    }

    /// <summary>The scheduler finds no node: PodScheduled=False reason Unschedulable, a FailedScheduling warning.</summary>
    public static void Unschedulable(PodUpdate u, string message)
    {
        SetCondition(u, "PodScheduled", "False", "Unschedulable", message);
        u.Event("Warning", "FailedScheduling", message, "default-scheduler");
    }

    /// <summary>The kubelet takes a scheduled pod: start time, host IP, containers waiting in ContainerCreating.</summary>
    public static void Admit(PodUpdate u)
    {
        var pod = u.Pod;
        Schedule(u);
        if (pod.Status.StartTime is not null)
        {
            return;
        }

        pod.Status.StartTime = u.Time;
        pod.Status.HostIP = HostIp;
        pod.Status.HostIPs = [new V1HostIP { Ip = HostIp }];
        SetCondition(u, "PodReadyToStartContainers", "True");
        SetCondition(u, "Initialized", pod.Spec.InitContainers is { Count: > 0 } ? "False" : "True", pod.Spec.InitContainers is { Count: > 0 } ? "ContainersNotInitialized" : null);
        var names = string.Join(" ", pod.Spec.Containers.Select(c => c.Name));
        SetCondition(u, "Ready", "False", "ContainersNotReady", $"containers with unready status: [{names}]");
        SetCondition(u, "ContainersReady", "False", "ContainersNotReady", $"containers with unready status: [{names}]");
        pod.Status.InitContainerStatuses = pod.Spec.InitContainers is { Count: > 0 } init ? [.. init.Select(c => NewStatus(c, "ContainerCreating"))] : null;
        pod.Status.ContainerStatuses = [.. pod.Spec.Containers.Select(c => NewStatus(c, "ContainerCreating"))];
    }

    /// <summary>The base container cannot start (an image pull error, a bad config): it waits with the reason; a Failed warning.</summary>
    public static void Waiting(PodUpdate u, string reason, string message)
    {
        Admit(u);
        var status = u.Pod.Status.ContainerStatuses[0];
        status.State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = message } };
        u.Event("Warning", "Failed", message, fieldPath: $"spec.containers{{{status.Name}}}");
    }

    /// <summary>Every container runs (init containers completed first): phase Running, Ready, the Pulled/Created/Started events.</summary>
    public static void Run(PodUpdate u)
    {
        var pod = u.Pod;
        Admit(u);
        pod.Status.Phase = "Running";
        var ip = Interlocked.Increment(ref _nextPodIp);
        pod.Status.PodIP ??= $"10.244.{ip / 250 % 250}.{(ip % 250) + 2}";
        pod.Status.PodIPs = [new V1PodIP { Ip = pod.Status.PodIP }];
        foreach (var (container, status) in (pod.Spec.InitContainers ?? []).Zip(pod.Status.InitContainerStatuses ?? []))
        {
            StartEvents(u, container, "initContainers");
            var sidecar = container.RestartPolicy == "Always";
            status.State = sidecar ? Running(u) : Terminated(u, 0, "Completed", null, u.Time);
            status.Ready = sidecar;
            status.Started = sidecar;
            Identify(pod, container, status);
            if (!sidecar)
            {
                u.EndedLogs.Add(container.Name);
            }
        }

        foreach (var (container, status) in pod.Spec.Containers.Zip(pod.Status.ContainerStatuses))
        {
            StartEvents(u, container, "containers");
            status.State = Running(u);
            status.Ready = true;
            status.Started = true;
            Identify(pod, container, status);
        }

        foreach (var type in new[] { "Initialized", "ContainersReady", "Ready" })
        {
            SetCondition(u, type, "True");
        }
    }

    /// <summary>
    /// The base container exits with <paramref name="exitCode"/>; the other containers are stopped (exit 0). The
    /// pod is Succeeded for 0, else Failed. <paramref name="message"/> is the termination message, cut to 4096 bytes.
    /// </summary>
    public static void Exit(PodUpdate u, int exitCode, string? reason, string? message)
    {
        var statuses = u.Pod.Status.ContainerStatuses;
        Finish(u, statuses[0], exitCode, reason ?? (exitCode == 0 ? "Completed" : "Error"), Truncate(message));
        foreach (var status in statuses.Skip(1).Concat(u.Pod.Status.InitContainerStatuses ?? []))
        {
            Finish(u, status, 0, "Completed", null);
        }

        End(u, exitCode == 0 ? "Succeeded" : "Failed", null, null);
    }

    /// <summary>The kubelet evicts the pod (node pressure): containers killed (137), phase Failed reason Evicted, DisruptionTarget.</summary>
    public static void Evict(PodUpdate u, string message)
    {
        SetCondition(u, "DisruptionTarget", "True", "TerminationByKubelet", message);
        u.Event("Warning", "Evicted", message);
        Kill(u, 137);
        End(u, "Failed", "Evicted", message);
    }

    /// <summary>activeDeadlineSeconds passed: containers stopped with SIGTERM (143), phase Failed reason DeadlineExceeded.</summary>
    public static void DeadlineExceeded(PodUpdate u)
    {
        const string Message = "Pod was active on the node longer than the specified deadline";
        u.Event("Normal", "DeadlineExceeded", Message);
        Kill(u, 143);
        End(u, "Failed", "DeadlineExceeded", Message);
    }

    /// <summary>
    /// A graceful delete: every running container obeys SIGTERM at once (exit code 143, reason Error) and the pod
    /// turns Failed. False when no container was running.
    /// </summary>
    public static bool KillRunning(PodUpdate u)
    {
        if (!(u.Pod.Status.ContainerStatuses ?? []).Any(s => s.State?.Running is not null))
        {
            return false;
        }

        Kill(u, 143);
        End(u, "Failed", null, null);
        return true;
    }

    private static void Kill(PodUpdate u, int exitCode)
    {
        foreach (var status in (u.Pod.Status.ContainerStatuses ?? []).Concat(u.Pod.Status.InitContainerStatuses ?? []))
        {
            if (status.State?.Terminated is null)
            {
                if (status.State?.Running is not null)
                {
                    u.Event("Normal", "Killing", $"Stopping container {status.Name}", fieldPath: $"spec.containers{{{status.Name}}}");
                }

                Finish(u, status, exitCode, "Error", null);
            }
        }
    }

    private static void End(PodUpdate u, string phase, string? reason, string? message)
    {
        var pod = u.Pod;
        pod.Status.Phase = phase;
        pod.Status.Reason = reason ?? pod.Status.Reason;
        pod.Status.Message = message ?? pod.Status.Message;
        SetCondition(u, "Ready", "False", "PodCompleted");
        SetCondition(u, "ContainersReady", "False", "PodCompleted");
        SetCondition(u, "PodReadyToStartContainers", "False");
        u.EndedLogs.AddRange((pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers).Select(c => c.Name));
        u.Terminal = true;
    }

    private static void Finish(PodUpdate u, V1ContainerStatus status, int exitCode, string reason, string? message)
    {
        if (status.State?.Terminated is not null)
        {
            return;
        }

        var started = status.State?.Running?.StartedAt;
        status.State = Terminated(u, exitCode, reason, message, started);
        status.Ready = false;
        status.Started = false;
    }

    private static V1ContainerState Running(PodUpdate u) => new() { Running = new V1ContainerStateRunning { StartedAt = u.Time } };

    private static V1ContainerState Terminated(PodUpdate u, int exitCode, string reason, string? message, DateTime? started) => new()
    {
        Terminated = new V1ContainerStateTerminated
        {
            ExitCode = exitCode,
            Reason = reason,
            Message = message,
            StartedAt = started,
            FinishedAt = u.Time,
            ContainerID = null,
        },
    };

    private static void StartEvents(PodUpdate u, V1Container container, string field)
    {
        var path = $"spec.{field}{{{container.Name}}}";
        u.Event("Normal", "Pulled", $"Container image \"{container.Image}\" already present on machine", fieldPath: path);
        u.Event("Normal", "Created", $"Created container: {container.Name}", fieldPath: path);
        u.Event("Normal", "Started", $"Started container {container.Name}", fieldPath: path);
    }

    private static V1ContainerStatus NewStatus(V1Container container, string waitingReason) => new()
    {
        Name = container.Name,
        Image = container.Image,
        ImageID = "",
        Ready = false,
        Started = false,
        RestartCount = 0,
        State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = waitingReason } },
    };

    private static void Identify(V1Pod pod, V1Container container, V1ContainerStatus status)
    {
        status.ContainerID = "containerd://" + Hex(pod.Metadata.Uid + "/" + container.Name);
        status.ImageID = (container.Image ?? "").Split('@')[0].Split(':')[0] + "@sha256:" + Hex(container.Image ?? "");
    }

    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    // The kubelet reads at most 4096 bytes of the termination message; a character cut in two becomes U+FFFD.
    private static string? Truncate(string? message)
    {
        if (message is null)
        {
            return null;
        }

        var bytes = Encoding.UTF8.GetBytes(message);
        return bytes.Length <= 4096 ? message : Encoding.UTF8.GetString(bytes, 0, 4096);
    }

    private static void SetCondition(PodUpdate u, string type, string status, string? reason = null, string? message = null)
    {
        var conditions = u.Pod.Status.Conditions ??= [];
        var condition = conditions.FirstOrDefault(c => c.Type == type);
        if (condition is null)
        {
            condition = new V1PodCondition { Type = type };
            conditions.Add(condition);
        }

        if (condition.Status != status)
        {
            condition.LastTransitionTime = u.Time;
        }

        condition.Status = status;
        condition.Reason = reason;
        condition.Message = message;
    }
}
