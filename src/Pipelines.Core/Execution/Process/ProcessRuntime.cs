using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using Pipelines.Rendering;
using Pipelines.Secrets;

namespace Pipelines.Execution;

/// <summary>
/// Runs each attempt as a local process — no container engine. Linux is the supported platform.
/// <list type="bullet">
/// <item><b>Program</b>: <c>Command[0]</c> (or <c>Args[0]</c> when there is no command), found on PATH
/// like a shell would; the rest are its arguments. No shell is involved unless the program is one. The
/// image is not used: its entrypoint does not exist here, so a task without command and args is lost.</item>
/// <item><b>Environment</b>: built from nothing — the host's PATH, HOME, LANG and TZ; envFrom secrets;
/// env values; secret env; then <c>PIPELINES_OUTPUT</c> (a per-attempt file) and <c>PIPELINES_ATTEMPT</c>
/// (the attempt id, which marks the attempt's processes). Secrets come from the <see cref="ISecretResolver"/>
/// and every value is registered with <see cref="Masker"/>; a missing secret or any config map makes the
/// attempt <see cref="AttemptOutcome.Lost"/> with a reason that names it, never a value.</item>
/// <item><b>Volumes</b>: mapped to host directories (named → <c>.pipelines/volumes/&lt;name&gt;</c>; temp and
/// secret → per-attempt directories, deleted after; host path → itself), and mount paths in command, args,
/// env values and working dir are rewritten to them by the rule documented on <c>MountPathRewriter</c>:
/// an occurrence of a mount path that starts the string or follows whitespace or one of
/// <c>= : , ; ' " ` ( [ { &lt; &gt; | &amp; @</c>, and ends the string or is followed by <c>/</c> or a
/// character other than a letter, digit or <c>. _ - ~ + % # $</c>; longest mount path first.</item>
/// <item><b>Working directory</b>: the task's (rewritten; it must be under a mount or exist on this machine),
/// else a per-attempt scratch directory under <c>.pipelines/work/</c>.</item>
/// <item><b>Stop</b>: the process starts in a session and process group of its own (through
/// <c>setsid</c>); on cancellation the group and every process carrying the attempt's marker get
/// SIGTERM, then SIGKILL after the stop grace period (default 10 s, timed by the injected
/// <see cref="TimeProvider"/>). Whatever of the attempt is still running when its main process exits is killed.</item>
/// <item><b>Adoption</b>: a process cannot be re-attached, so <see cref="AdoptAsync"/> kills what it finds
/// (the recorded pid when its start time matches, and every marked process) and reports <c>host-crash</c>.</item>
/// </list>
/// Not enforced here: the user, capabilities, resources, read-only mounts and root filesystem, extra hosts.
/// </summary>
public sealed class ProcessRuntime : IContainerRuntime
{
    /// <summary>The stop grace period when the task sets none.</summary>
    public static readonly TimeSpan DefaultStopGracePeriod = TimeSpan.FromSeconds(10);

    private static readonly string? SetsidPath = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);

    private readonly string _projectRoot;
    private readonly ISecretResolver _secrets;
    private readonly TimeProvider _time;

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
    public ProcessRuntime(string projectRoot, ISecretResolver secrets, TimeProvider time, SecretMasker masker)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectRoot);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(masker);
        _projectRoot = Path.GetFullPath(projectRoot);
        _secrets = secrets;
        _time = time;
        Masker = masker;
    }

    /// <inheritdoc />
    public string Name => "process";

    /// <summary>Holds every secret value this runtime resolved; mask log lines and messages with it.</summary>
    public SecretMasker Masker { get; }

    /// <inheritdoc />
    public async Task<AttemptResult> RunAsync(RenderedTask attempt, IAttemptSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(sink);
        if (OperatingSystem.IsWindows())
        {
            return AttemptResult.Lost("the process runtime needs Linux (process groups, signals and /proc)");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return AttemptResult.Stopped("stopped before the process started");
        }

        var marker = AttemptProcesses.Marker(AttemptNames.AttemptId(attempt.DagId, attempt.Run.RunId, attempt.Task.Id, attempt.TryNumber));
        AttemptWorkspace workspace;
        try
        {
            workspace = AttemptWorkspace.Create(_projectRoot, attempt);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return AttemptResult.Lost($"could not create the attempt's directory under '{_projectRoot}': {ex.Message}");
        }

        using (workspace)
        {
            return await RunInAsync(workspace, attempt, marker, sink, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<AttemptResult?> AdoptAsync(RenderedTask attempt, string? handle, IAttemptSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        const string CannotReattach = "processes cannot be re-attached";
        if (!OperatingSystem.IsLinux())
        {
            return handle is null ? null : AttemptResult.Lost($"host-crash: the attempt's process ({handle}) cannot be looked for without /proc; {CannotReattach}");
        }

        var marker = AttemptProcesses.Marker(AttemptNames.AttemptId(attempt.DagId, attempt.Run.RunId, attempt.Task.Id, attempt.TryNumber));
        var recorded = new List<int>();

        // The pid alone could be another process by now; its start time tells.
        if (ProcessHandle.TryParse(handle, out var parsed) && ProcessTable.TryRead(parsed.Pid) is { HasExited: false } stat && stat.StartTime == parsed.StartTime)
        {
            recorded.Add(parsed.Pid);
        }

        var killed = AttemptProcesses.Signal(recorded, marker, ProcessSignals.Kill);
        await AttemptProcesses.WaitGoneAsync(marker).ConfigureAwait(false);
        AttemptWorkspace.DeleteDirectory(AttemptWorkspace.PathFor(_projectRoot, attempt));

        if (killed.Count == 1)
        {
            return AttemptResult.Lost($"host-crash: the attempt's process (pid {killed.Min}) was stopped; {CannotReattach}");
        }

        if (killed.Count > 1)
        {
            var pids = string.Join(", ", recorded.Concat(killed.Except(recorded)));
            return AttemptResult.Lost($"host-crash: the attempt's processes (pids {pids}) were stopped; {CannotReattach}");
        }

        return handle is null
            ? null
            : AttemptResult.Lost($"host-crash: the attempt's process ({handle}) had ended; {CannotReattach}, so its exit code and output are lost");
    }

    [UnsupportedOSPlatform("windows")]
    private async Task<AttemptResult> RunInAsync(AttemptWorkspace workspace, RenderedTask attempt, string marker, IAttemptSink sink, CancellationToken cancellationToken)
    {
        var task = attempt.Task;
        ProcessStartInfo start;
        try
        {
            start = Prepare(attempt, workspace);
        }
        catch (AttemptLostException ex)
        {
            return AttemptResult.Lost(ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return AttemptResult.Lost($"could not prepare the attempt's volumes or files: {ex.Message}");
        }

        AttemptProcess process;
        try
        {
            process = AttemptProcess.Start(start, sink, marker);
        }
        catch (Win32Exception ex)
        {
            return AttemptResult.Lost($"could not start '{start.FileName}': {ex.Message}");
        }

        using (process)
        {
            try
            {
                await sink.StartedAsync(process.Handle.ToString()).ConfigureAwait(false);
            }
            catch
            {
                // Nothing may run that the store does not know of.
                process.Signal(ProcessSignals.Kill);
                await process.WaitForExitAsync().ConfigureAwait(false);
                await process.FinishAsync().ConfigureAwait(false);
                throw;
            }

            var stopReason = await WaitOrStopAsync(process, task.StopGracePeriod ?? DefaultStopGracePeriod, cancellationToken).ConfigureAwait(false);
            await process.FinishAsync().ConfigureAwait(false);
            return stopReason is null
                ? AttemptResult.Exited(process.ExitCode, workspace.ReadOutput())
                : AttemptResult.Stopped(stopReason, process.ExitCode);
        }
    }

    // Null when the process exited by itself, else the stop reason.
    [UnsupportedOSPlatform("windows")]
    private async Task<string?> WaitOrStopAsync(AttemptProcess process, TimeSpan grace, CancellationToken cancellationToken)
    {
        var exited = process.WaitForExitAsync();
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(() => cancelled.TrySetResult()))
        {
            await Task.WhenAny(exited, cancelled.Task).ConfigureAwait(false);
        }

        if (exited.IsCompleted)
        {
            return null;
        }

        var seconds = grace.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        process.Signal(ProcessSignals.Terminate);
        using var graceOver = new CancellationTokenSource();
        var delay = Task.Delay(grace, _time, graceOver.Token);
        if (await Task.WhenAny(exited, delay).ConfigureAwait(false) == exited)
        {
            await graceOver.CancelAsync().ConfigureAwait(false);
            return $"stopped: SIGTERM sent; the process exited within the {seconds}s grace period";
        }

        process.Signal(ProcessSignals.Kill);
        await exited.ConfigureAwait(false);
        return $"stopped: the process did not exit within the {seconds}s grace period after SIGTERM and was killed (SIGKILL)";
    }

    [UnsupportedOSPlatform("windows")]
    private ProcessStartInfo Prepare(RenderedTask attempt, AttemptWorkspace workspace)
    {
        var task = attempt.Task;
        var attemptId = AttemptNames.AttemptId(attempt.DagId, attempt.Run.RunId, task.Id, attempt.TryNumber);
        var argv = task.Command.Concat(task.Args).ToList();
        if (argv.Count == 0)
        {
            throw new AttemptLostException($"the task has neither a command nor args, and the process runtime cannot run the entrypoint of image '{task.Image}'; give the task a command");
        }

        var paths = VolumeMapper.Map(task, _projectRoot, workspace, _secrets, Masker);
        var environment = AttemptEnvironment.Build(task, paths, _secrets, Masker, workspace.OutputFile, attemptId, Environment.GetEnvironmentVariable);
        var workingDirectory = WorkingDirectory(task.WorkingDir, paths, workspace);
        // Command and args expand $(VAR) with the whole environment, as in a pod.
        argv = [.. argv.Select(a => VariableExpansion.Expand(paths.Rewrite(a), environment.GetValueOrDefault))];
        var program = ProgramLocator.Locate(argv[0], environment.GetValueOrDefault("PATH"), workingDirectory);

        var start = new ProcessStartInfo
        {
            FileName = SetsidPath ?? program,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (SetsidPath is not null)
        {
            // .NET cannot call setsid() between fork and exec; setsid(1) does it and execs the program in
            // the same pid (it forks only when already a group leader, which a fresh child never is).
            // --wait keeps the exit code right even if it ever had to fork.
            start.ArgumentList.Add("--wait");
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(program);
        }

        foreach (var argument in argv.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    [UnsupportedOSPlatform("windows")]
    private string WorkingDirectory(string? workingDir, MountPathRewriter paths, AttemptWorkspace workspace)
    {
        if (string.IsNullOrEmpty(workingDir))
        {
            return workspace.Scratch;
        }

        var mapped = paths.Rewrite(workingDir);
        if (!ReferenceEquals(mapped, workingDir))
        {
            Directory.CreateDirectory(mapped);
            return mapped;
        }

        var host = Path.GetFullPath(workingDir, _projectRoot);
        return Directory.Exists(host)
            ? host
            : throw new AttemptLostException($"working dir '{workingDir}' is not under a mount and does not exist on this machine");
    }
}
