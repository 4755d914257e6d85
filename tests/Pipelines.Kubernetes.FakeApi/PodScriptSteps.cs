namespace Pipelines.Kubernetes.FakeApi;

/// <summary>
/// The steps of <see cref="PodScript"/> that also open a script (<c>PodScript.Start()</c>): as extension methods they
/// chain too (<c>PodScript.Waiting(...).Delay(...).Start()</c>).
/// </summary>
public static class PodScriptSteps
{
    /// <summary>
    /// The pod is scheduled and every container starts: phase Running; PodScheduled, Initialized, ContainersReady and
    /// Ready true; init containers completed; each container <c>running.startedAt</c>; Scheduled, Pulled, Created and
    /// Started events.
    /// </summary>
    public static PodScript Start(this PodScript script) => script.Then(new StartStep());

    /// <summary>
    /// No node fits: the pod stays Pending with PodScheduled=False reason Unschedulable and <paramref name="message"/>,
    /// and a Warning FailedScheduling event. The pod stays so until deleted: later steps are ignored.
    /// </summary>
    public static PodScript Unschedulable(this PodScript script, string message) => script.Then(new UnschedulableStep(message));

    /// <summary>
    /// The pod is scheduled but the base container waits with <paramref name="reason"/> (ErrImagePull,
    /// ImagePullBackOff, InvalidImageName, CreateContainerConfigError, ContainerCreating) and a Warning Failed event
    /// with <paramref name="message"/>; it stays so until deleted or until a following step (e.g. Start).
    /// </summary>
    public static PodScript Waiting(this PodScript script, string reason, string message) => script.Then(new WaitingStep(reason, message));
}
