namespace Pipelines.Kubernetes.FakeApi;

/// <summary>
/// How the fake kubelet plays one pod: an immutable list of steps, built fluently. Each method returns a new script,
/// so a script can be shared and extended safely:
/// <code>PodScript.Start().Log("hello", "world").Delay(TimeSpan.FromSeconds(1)).Exit(0, terminationMessage: "{\"rows\":3}")</code>
/// The steps run in order on a background task once the pod is created; deleting the pod stops them. A terminal step
/// (<see cref="Exit"/>, <see cref="Evict"/>, <see cref="DeadlineExceeded"/>) and <see cref="Unschedulable(string)"/>
/// end the script: later steps are ignored. A script that runs out of steps leaves the pod as it is.
/// </summary>
public sealed class PodScript
{
    private readonly IReadOnlyList<PodStep> _steps;

    private PodScript(IReadOnlyList<PodStep> steps) => _steps = steps;

    /// <summary>A script with no steps: the pod stays Pending and unscheduled until deleted.</summary>
    public static PodScript Empty { get; } = new([]);

    internal IReadOnlyList<PodStep> Steps => _steps;

    /// <summary>A script that starts with <see cref="PodScriptSteps.Start(PodScript)"/>.</summary>
    public static PodScript Start() => Empty.Start();

    /// <summary>A script that starts with <see cref="PodScriptSteps.Unschedulable(PodScript, string)"/>.</summary>
    /// <param name="message">The scheduler's message, e.g. <c>0/3 nodes are available: 3 Insufficient cpu.</c></param>
    public static PodScript Unschedulable(string message) => Empty.Unschedulable(message);

    /// <summary>A script that starts with <see cref="PodScriptSteps.Waiting(PodScript, string, string)"/>.</summary>
    /// <param name="reason">The waiting reason: ErrImagePull, ImagePullBackOff, InvalidImageName, CreateContainerConfigError, ContainerCreating.</param>
    /// <param name="message">The message of the container status and of the Warning event.</param>
    public static PodScript Waiting(string reason, string message) => Empty.Waiting(reason, message);

    /// <summary>Appends lines to the base container's log, each stamped with the server clock's time.</summary>
    public PodScript Log(params string[] lines) => Then(new LogStep(null, [.. lines], null, Cut: false));

    /// <summary>Appends lines to the log of the named container (a sidecar, an init container).</summary>
    public PodScript LogTo(string container, params string[] lines) => Then(new LogStep(container, [.. lines], null, Cut: false));

    /// <summary>Appends lines to the base container's log, all with the timestamp <paramref name="time"/> (many lines in one second, or one instant).</summary>
    public PodScript LogAt(DateTimeOffset time, params string[] lines) => Then(new LogStep(null, [.. lines], time, Cut: false));

    /// <summary>
    /// A log stream cut mid-line: waits until a <c>follow</c> stream is open on the container's log (base by
    /// default) that no earlier cut hit, then appends <paramref name="line"/>; every follow stream open then sends the
    /// lines before it, only the first half of it (no line end), and drops the connection. The log keeps the whole
    /// line, so the next reader gets it. A pod nobody follows waits here until deleted.
    /// </summary>
    public PodScript CutLogs(string line = "a line the stream cut in the middle", string? container = null) =>
        Then(new LogStep(container, [line], null, Cut: true));

    /// <summary>
    /// Waits <paramref name="duration"/> on the server's <see cref="FakeServerOptions.Time"/>. The timer is armed before
    /// the previous step's change is published, so a test that sees that change and advances a fake clock fires it.
    /// </summary>
    public PodScript Delay(TimeSpan duration) => Then(new DelayStep(duration));

    /// <summary>Waits until <paramref name="wait"/> completes (it is called once per pod that reaches the step).</summary>
    public PodScript WaitFor(Func<Task> wait) => Then(new WaitStep(_ => wait()));

    /// <summary>Waits until <paramref name="wait"/> completes; its token is cancelled when the pod is deleted.</summary>
    public PodScript WaitFor(Func<CancellationToken, Task> wait) => Then(new WaitStep(wait));

    /// <summary>Holds the pod (as it is, e.g. running) until <paramref name="gate"/> is opened.</summary>
    public PodScript Until(PodGate gate) => Then(new WaitStep(gate.WaitAsync));

    /// <summary>
    /// The base container exits (started first if it has not been): terminated with <paramref name="exitCode"/>,
    /// <paramref name="reason"/> (default Completed for 0, Error otherwise; e.g. OOMKilled), the termination message
    /// cut to 4096 bytes as the kubelet does. Other containers stop with exit code 0. The pod turns Succeeded (0) or
    /// Failed. With <c>terminationMessagePolicy: FallbackToLogsOnError</c>, a failure without a message takes the
    /// log's last 80 lines (at most 2048 bytes). Ends the script.
    /// </summary>
    public PodScript Exit(int exitCode, string? terminationMessage = null, string? reason = null) =>
        Then(new ExitStep(exitCode, terminationMessage, reason));

    /// <summary>
    /// The kubelet evicts the pod (node pressure): phase Failed, status.reason Evicted with <paramref name="message"/>,
    /// a DisruptionTarget condition, containers killed (exit code 137, reason Error), a Warning Evicted event. Ends the script.
    /// </summary>
    public PodScript Evict(string message = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi.") =>
        Then(new EvictStep(message));

    /// <summary>
    /// The pod's activeDeadlineSeconds passes: phase Failed, status.reason DeadlineExceeded, message "Pod was active
    /// on the node longer than the specified deadline", containers stopped with SIGTERM (exit code 143). Ends the script.
    /// </summary>
    public PodScript DeadlineExceeded() => Then(new DeadlineStep());

    /// <summary>The steps, for test output.</summary>
    public override string ToString() => _steps.Count == 0 ? "(empty)" : string.Join(" → ", _steps.Select(s => s.GetType().Name.Replace("Step", "", StringComparison.Ordinal)));

    internal PodScript Then(PodStep step) => new([.. _steps, step]);
}
