namespace Pipelines.Kubernetes.FakeApi;

/// <summary>One step of a <see cref="PodScript"/>.</summary>
internal abstract record PodStep;

/// <summary>No node fits: the pod stays Pending, unschedulable, and the script ends.</summary>
internal sealed record UnschedulableStep(string Message) : PodStep;

/// <summary>The base container waits (image pull error and the like) until a later step.</summary>
internal sealed record WaitingStep(string Reason, string Message) : PodStep;

/// <summary>Every container starts: phase Running.</summary>
internal sealed record StartStep : PodStep;

/// <summary>Lines appended to a container's log; at a fixed time, or cut in half for the open followers.</summary>
internal sealed record LogStep(string? Container, IReadOnlyList<string> Lines, DateTimeOffset? At, bool Cut) : PodStep;

/// <summary>A wait on the server's clock.</summary>
internal sealed record DelayStep(TimeSpan Duration) : PodStep;

/// <summary>A wait for something the test controls.</summary>
internal sealed record WaitStep(Func<CancellationToken, Task> Wait) : PodStep;

/// <summary>The base container exits; the script ends.</summary>
internal sealed record ExitStep(int ExitCode, string? TerminationMessage, string? Reason) : PodStep;

/// <summary>The kubelet evicts the pod; the script ends.</summary>
internal sealed record EvictStep(string Message) : PodStep;

/// <summary>The pod's activeDeadlineSeconds passes; the script ends.</summary>
internal sealed record DeadlineStep : PodStep;
