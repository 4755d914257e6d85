using System.Runtime.Versioning;

namespace Pipelines.Processes;

/// <summary>
/// The shim of a running attempt (see <see cref="AttemptShim"/>): the leader of the attempt's session
/// and process group, the parent of the task. Either a child this host started, or one an earlier host
/// started and this one adopted. Signals reach the process group and every process of the attempt's
/// cgroup — or, without a cgroup, every process carrying the attempt's environment marker.
/// </summary>
[SupportedOSPlatform("linux")]
internal abstract class AttemptProcess : IDisposable
{
    private static readonly int? OwnGroup = ProcessTable.TryRead(Environment.ProcessId)?.ProcessGroup;

    protected AttemptProcess(ProcessHandle handle, AttemptCgroup? cgroup, string marker)
    {
        Handle = handle;
        Cgroup = cgroup;
        Marker = marker;
    }

    /// <summary>The shim's pid and start time.</summary>
    public ProcessHandle Handle { get; }

    /// <summary>The attempt's cgroup, when this host can make them.</summary>
    public AttemptCgroup? Cgroup { get; }

    /// <summary>The attempt's environment marker (<c>PIPELINES_ATTEMPT=…</c>).</summary>
    public string Marker { get; }

    /// <summary>True once the shim has exited.</summary>
    public abstract bool HasExited { get; }

    /// <summary>The task's exit status once the shim has exited (128 + n when a signal n ended it); null when unknown.</summary>
    public abstract int? ExitCode { get; }

    /// <summary>Completes when the shim exits (or <paramref name="cancellationToken"/> fires).</summary>
    public abstract Task WaitForExitAsync(CancellationToken cancellationToken);

    /// <summary>Sends <paramref name="signal"/> to the shim's group and to every other process of the attempt.</summary>
    public void Signal(int signal)
    {
        var pid = Handle.Pid;
        if (pid != OwnGroup)
        {
            ProcessSignals.Send(-pid, signal);
        }

        ProcessSignals.Send(pid, signal);
        if (Cgroup is not null)
        {
            Cgroup.Signal(signal);
        }
        else
        {
            AttemptProcesses.Signal([], Marker, signal);
        }
    }

    /// <summary>
    /// After the shim exited: kills what is left of the attempt (as a container's end would) and waits
    /// for it to go; removes the cgroup. Returns the processes found.
    /// </summary>
    public async Task<IReadOnlyCollection<int>> KillRestAsync()
    {
        if (Cgroup is not null)
        {
            return Cgroup.KillAndRemove();
        }

        ProcessSignals.Send(-Handle.Pid, ProcessSignals.Kill);
        var killed = AttemptProcesses.Signal([], Marker, ProcessSignals.Kill);
        await AttemptProcesses.WaitGoneAsync(Marker).ConfigureAwait(false);
        return killed;
    }

    /// <inheritdoc />
    public virtual void Dispose()
    {
    }
}

/// <summary>A shim this host started: its exit is reaped as a child's.</summary>
[SupportedOSPlatform("linux")]
internal sealed class ChildAttemptProcess(ChildProcess process, ProcessHandle handle, AttemptCgroup? cgroup, string marker)
    : AttemptProcess(handle, cgroup, marker)
{
    public override bool HasExited => process.Exited.IsCompleted;

    public override int? ExitCode => process.Exited.IsCompletedSuccessfully && process.Exited.Result >= 0 ? process.Exited.Result : null;

    public override Task WaitForExitAsync(CancellationToken cancellationToken) => process.Exited.WaitAsync(cancellationToken);
}

/// <summary>
/// A shim an earlier host started. This host is not its parent, so its end is seen in <c>/proc</c> and in
/// the exit status it records in the workspace.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class AdoptedAttemptProcess(ProcessHandle handle, AttemptCgroup? cgroup, string marker, AttemptWorkspace workspace)
    : AttemptProcess(handle, cgroup, marker)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public override bool HasExited =>
        workspace.ReadExit() is not null || ProcessTable.TryRead(Handle.Pid) is not { HasExited: false } stat || stat.StartTime != Handle.StartTime;

    public override int? ExitCode => workspace.ReadExit();

    public override async Task WaitForExitAsync(CancellationToken cancellationToken)
    {
        // Not our child: no SIGCHLD, and pidfd_open is not in .NET; /proc and the exit file tell.
        while (!HasExited)
        {
            await Task.Delay(Poll, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }
}
