using System.ComponentModel;
using System.Globalization;
using System.Runtime.Versioning;
using Pipelines.Attempts;
using Pipelines.Execution.Runtimes;
using Pipelines.Rendering;
using Pipelines.Resolution;
using Pipelines.Secrets;

namespace Pipelines.Processes;

/// <summary>
/// Runs each attempt as a local process — no container engine. Linux is the supported platform.
/// <list type="bullet">
/// <item><b>Program</b>: <c>Command[0]</c> (or <c>Args[0]</c> when there is no command), found on PATH
/// like a shell would; the rest are its arguments. No shell is involved unless the program is one (the
/// shim that starts it is one, see <see cref="AttemptShim"/>). The image is not used: its entrypoint does
/// not exist here, so a task without command and args is lost.</item>
/// <item><b>Environment</b>: built from nothing — the host's PATH, HOME, LANG and TZ; envFrom secrets;
/// env values; secret env; then <c>PIPELINES_OUTPUT</c> (a per-attempt file) and <c>PIPELINES_ATTEMPT</c>
/// (the attempt id and store id, which marks the attempt's processes). Secrets come from the
/// <see cref="ISecretResolver"/> and every value is registered with <see cref="Masker"/>; a missing secret
/// or any config map makes the attempt <see cref="AttemptOutcome.Lost"/> with a reason that names it, never a value.</item>
/// <item><b>Volumes</b>: mapped to host directories (named → <c>.pipelines/volumes/&lt;name&gt;</c>; temp and
/// secret → per-attempt directories, deleted after; host path → itself), and mount paths in command, args,
/// env values and working dir are rewritten to them (see <c>MountPathRewriter</c>).</item>
/// <item><b>Containment</b>: the attempt runs in a session and process group of its own and, where this
/// host can make cgroups, in a cgroup of its own, so nothing it starts outlives it — also a process that
/// calls <c>setsid</c> and clears its environment. Without a cgroup, its processes are found by their group
/// and the environment marker.</item>
/// <item><b>Logs</b>: stdout and stderr go to a file in the attempt's workspace, followed by the host and
/// forwarded line by line (long lines in pieces of <see cref="AttemptLog.MaxLineLength"/> characters), each with
/// its stream (<c>Combined</c>: stdout and stderr share one file, in the order written), the time it was read and a cursor:
/// the byte offset after the line, which the executor keeps so that an adopted attempt's log continues after it.</item>
/// <item><b>Stop</b>: on cancellation every process of the attempt gets SIGTERM, then SIGKILL after the stop
/// grace period (default 10 s, timed by the injected <see cref="TimeProvider"/>). Whatever of the attempt is
/// still running when its task exits is killed.</item>
/// <item><b>Adoption</b>: the shim outlives a crashed host and records the task's exit status, so a restarted
/// host re-attaches to an attempt still running (following its log after the cursor the executor kept) and
/// reads one that finished meanwhile, instead of running it twice.</item>
/// </list>
/// A run's attempts share one <c>ProcessSession</c> (<see cref="OpenAsync"/>). Not enforced here: the user, capabilities,
/// resources, read-only mounts and root filesystem, extra hosts.
/// The process runtime is not a security boundary: a task runs as the host's user.
/// </summary>
public sealed class ProcessRuntime : IContainerRuntime
{
    /// <summary>The stop grace period when the task sets none.</summary>
    public static readonly TimeSpan DefaultStopGracePeriod = TimeSpan.FromSeconds(10);

    private readonly string _projectRoot;
    private readonly ISecretResolver _secrets;
    private readonly TimeProvider _time;
    private readonly string _storeId;
    private readonly string _workRoot;
    private int _tidied;

    /// <summary>Creates a process runtime with a masker of its own (see <see cref="Masker"/>).</summary>
    /// <param name="projectRoot">The project directory; <c>.pipelines/</c> under it holds volumes and attempt directories.</param>
    /// <param name="secrets">Resolves secret references when an attempt starts.</param>
    /// <param name="time">Times the stop grace period.</param>
    public ProcessRuntime(string projectRoot, ISecretResolver secrets, TimeProvider time)
        : this(projectRoot, secrets, time, new SecretMasker())
    {
    }

    /// <summary>Creates a process runtime that registers resolved secret values with <paramref name="masker"/>.</summary>
    /// <param name="projectRoot">The project directory; <c>.pipelines/</c> under it holds volumes and attempt directories.</param>
    /// <param name="secrets">Resolves secret references when an attempt starts.</param>
    /// <param name="time">Times the stop grace period.</param>
    /// <param name="masker">Receives every secret value the runtime resolves.</param>
    /// <param name="storeId">
    /// The run store's id (<see cref="Execution.State.IRunStore.StoreId"/>): attempts of two stores never share a
    /// workspace, a cgroup or a marker, so two runs of one DAG and date with different stores leave each other alone.
    /// </param>
    public ProcessRuntime(string projectRoot, ISecretResolver secrets, TimeProvider time, SecretMasker masker, string storeId = "local")
    {
        ArgumentException.ThrowIfNullOrEmpty(projectRoot);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(masker);
        ArgumentException.ThrowIfNullOrEmpty(storeId);
        _projectRoot = Path.GetFullPath(projectRoot);
        _secrets = secrets;
        _time = time;
        _storeId = storeId;
        _workRoot = Path.Combine(
            OperatingSystem.IsWindows() ? Path.Combine(_projectRoot, ".pipelines", "work") : AttemptWorkspace.DefaultBase(_projectRoot, Environment.GetEnvironmentVariable),
            storeId);
        Masker = masker;
    }

    /// <inheritdoc />
    public string Name => "process";

    /// <summary>
    /// Where this runtime's attempt directories are: <c>&lt;work directory&gt;/&lt;store id&gt;</c>, the work directory
    /// being in memory (<c>/dev/shm/pipelines-&lt;uid&gt;</c>) where the machine has it, else <c>.pipelines/work</c>;
    /// <c>PIPELINES_WORK_DIR</c> chooses another.
    /// </summary>
    public string WorkDirectory => _workRoot;

    /// <summary>Holds every secret value this runtime resolved; mask log lines and messages with it.</summary>
    public SecretMasker Masker { get; }

    /// <summary>True when attempts run in cgroups of their own here (see the class remarks on containment).</summary>
    public static bool ContainsAttemptsInCgroups => OperatingSystem.IsLinux() && AttemptCgroups.Available is not null;

    /// <inheritdoc />
    /// <remarks>
    /// The first session of a runtime removes what dead hosts of its store left and no run will read: empty cgroups of
    /// attempts without a folder, and the empty folders of other stores.
    /// </remarks>
    public ValueTask<IRuntimeSession> OpenAsync(RunContext run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (OperatingSystem.IsLinux() && Interlocked.Exchange(ref _tidied, 1) == 0)
        {
            AttemptCgroups.Available?.RemoveAbandoned(_storeId, _workRoot);
            AttemptWorkspace.RemoveEmptyStoreFolders(Path.GetDirectoryName(_workRoot)!, _storeId);
        }

        return ValueTask.FromResult<IRuntimeSession>(new ProcessSession(this, run));
    }

    internal async Task<AttemptResult> RunAsync(ResolvedTask attempt, IAttemptSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(sink);
        if (!OperatingSystem.IsLinux())
        {
            return AttemptResult.Lost(AttemptLoss.StartFailed, "the process runtime needs Linux (process groups, signals and /proc)");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return AttemptResult.Stopped("stopped before the process started");
        }

        var identity = Identity(attempt);
        AttemptWorkspace workspace;
        try
        {
            workspace = AttemptWorkspace.Create(_workRoot, identity.Name, AttemptKey.Of(attempt));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return AttemptResult.Lost(AttemptLoss.StartFailed, $"could not create the attempt's directory under '{_workRoot}': {ex.Message}");
        }

        // The folder outlives this call when the attempt ran: it holds the end until the executor recorded it (ForgetAsync).
        return await RunInAsync(workspace, attempt, identity, sink, cancellationToken).ConfigureAwait(false);
    }

    internal async Task<AttemptResult?> AdoptAsync(ResolvedTask attempt, string? handle, LogCursor? resumeAfter, IAttemptSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(sink);
        if (!OperatingSystem.IsLinux())
        {
            return handle is null ? null : AttemptResult.Lost(AttemptLoss.HostCrash, $"host-crash: the attempt's process ({handle}) cannot be looked for without /proc");
        }

        var identity = Identity(attempt);
        var workspace = AttemptWorkspace.Find(_workRoot, identity.Name);
        var cgroup = AttemptCgroups.Available?.Find(identity.Name);
        var shim = FindShim(handle, identity.Marker);
        if (workspace is null || shim is null && workspace.ReadExit() is null)
        {
            // No shim that recorded anything: at most processes of an attempt that never got going.
            var found = cgroup?.KillAndRemove() ?? [];
            var marked = AttemptProcesses.Signal(shim is null ? [] : [shim.Value.Pid], identity.Marker, ProcessSignals.Kill);
            await AttemptProcesses.WaitGoneAsync(identity.Marker).ConfigureAwait(false);
            workspace?.Dispose();
            var pids = found.Concat(marked).Distinct().Order().ToList();
            if (pids.Count > 0)
            {
                return AttemptResult.Lost(AttemptLoss.HostCrash, $"host-crash: the attempt's process{(pids.Count == 1 ? "" : "es")} (pid{(pids.Count == 1 ? "" : "s")} {string.Join(", ", pids)}) {(pids.Count == 1 ? "was" : "were")} stopped; the attempt ended without recording an exit status");
            }

            // No handle and no process: the host died before the attempt's process started.
            return handle is null
                ? null
                : AttemptResult.Lost(AttemptLoss.HostCrash, $"host-crash: the attempt's process ({handle ?? "no handle recorded"}) had ended without recording an exit status");
        }

        // Kept after the end is read, as after a run: ForgetAsync removes it once the end is recorded.
        using var log = new AttemptLog(workspace.OpenLog(), resumeAfter, sink, Masker, _time);
        using var process = new AdoptedAttemptProcess(shim ?? default, cgroup, identity.Marker, workspace);
        return await AttemptEnding.EndAsync(process, log, workspace, attempt.Task, _time, cancellationToken,
            AttemptLoss.HostCrash, "host-crash: the attempt's process ended without recording an exit status (killed while its host was down)").ConfigureAwait(false);
    }

    private (string Name, string Marker) Identity(ResolvedTask attempt) => Identity(AttemptKey.Of(attempt), _storeId);

    /// <summary>
    /// An attempt's resource name (its workspace and cgroup) and its environment marker
    /// (<c>PIPELINES_ATTEMPT=dag/run/task/try@store</c>): both unique per store.
    /// </summary>
    internal static (string Name, string Marker) Identity(AttemptKey attempt, string storeId) =>
        ($"{storeId}-{AttemptNames.ResourceName(attempt.DagId, attempt.RunId, attempt.TaskId, attempt.TryNumber)}",
         AttemptProcesses.Marker($"{AttemptNames.AttemptId(attempt.DagId, attempt.RunId, attempt.TaskId, attempt.TryNumber)}@{storeId}"));

    // Deletes the attempt's folder: its exit status, output and log, kept until now for a host that restarts. An attempt
    // that has not ended (one the store never recorded, such as a test run's) is stopped first.
    internal async Task ForgetAsync(AttemptKey attempt)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var identity = Identity(attempt, _storeId);
        var workspace = AttemptWorkspace.Find(_workRoot, identity.Name);
        if (workspace is not null && workspace.ReadExit() is null)
        {
            AttemptCgroups.Available?.Find(identity.Name)?.KillAndRemove();
            AttemptProcesses.Signal([], identity.Marker, ProcessSignals.Kill);
            await AttemptProcesses.WaitGoneAsync(identity.Marker).ConfigureAwait(false);
        }

        workspace?.Dispose();
    }

    // The attempts of `run` whose folders are here: one directory listing, one small file read per attempt.
    internal IReadOnlyList<Leftover> FindLeftovers(RunContext run)
    {
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }

        var found = new List<Leftover>();
        foreach (var workspace in AttemptWorkspace.All(_workRoot))
        {
            if (workspace.ReadAttempt() is { } key && key.DagId == run.Dag.Id && key.RunId == run.RunId)
            {
                found.Add(new Leftover(key, null, Running: workspace.ReadExit() is null));
            }
        }

        return found;
    }

    // The live shim of the attempt: by its recorded handle (pid and start time), else — when the host died
    // before it recorded one — by the attempt's marker in its environment and its name.
    [SupportedOSPlatform("linux")]
    private static ProcessHandle? FindShim(string? handle, string marker)
    {
        if (ProcessHandle.TryParse(handle, out var recorded) && ProcessTable.TryRead(recorded.Pid) is { HasExited: false } stat && stat.StartTime == recorded.StartTime)
        {
            return recorded;
        }

        foreach (var pid in ProcessTable.FindWithEnvironment(marker))
        {
            if (ProcessTable.ProgramName(pid) == AttemptShim.Name && ProcessTable.TryRead(pid) is { HasExited: false } found)
            {
                return new ProcessHandle(pid, found.StartTime);
            }
        }

        return null;
    }

    [SupportedOSPlatform("linux")]
    private async Task<AttemptResult> RunInAsync(AttemptWorkspace workspace, ResolvedTask attempt, (string Name, string Marker) identity, IAttemptSink sink, CancellationToken cancellationToken)
    {
        var task = attempt.Task;
        AttemptCgroup? cgroup = null;
        ChildProcess started;
        try
        {
            cgroup = AttemptCgroups.Available?.Create(identity.Name);
            var (program, arguments, environment, workingDirectory) = AttemptCommand.Prepare(attempt, workspace, identity.Marker, _projectRoot, _secrets, Masker);
            started = AttemptShim.Start(program, arguments, environment, workingDirectory, workspace, cgroup);
        }
        catch (Exception ex) when (ex is AttemptLostException or IOException or UnauthorizedAccessException or Win32Exception)
        {
            cgroup?.KillAndRemove();
            workspace.Dispose(); // nothing ran: nothing to keep
            return AttemptResult.Lost(AttemptLoss.StartFailed, ex switch
            {
                AttemptLostException => ex.Message,
                Win32Exception => $"could not start the attempt's process: {ex.Message}",
                _ => $"could not prepare the attempt's volumes or files: {ex.Message}",
            });
        }

        var handle = new ProcessHandle(started.Pid, ProcessTable.TryRead(started.Pid)?.StartTime ?? 0);
        using var process = new ChildAttemptProcess(started, handle, cgroup, identity.Marker);
        using var log = new AttemptLog(workspace.OpenLog(), AttemptLog.Cursor(0), sink, Masker, _time);
        try
        {
            await sink.StartedAsync(handle.ToString()).ConfigureAwait(false);
        }
        catch
        {
            // Nothing may run that the store does not know of.
            process.Signal(ProcessSignals.Kill);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await process.KillRestAsync().ConfigureAwait(false);
            throw;
        }

        return await AttemptEnding.EndAsync(process, log, workspace, task, _time, cancellationToken,
            AttemptLoss.RuntimeError, "the attempt's exit status was lost: another part of this program reaped its process").ConfigureAwait(false);
    }
}
