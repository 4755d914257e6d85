using System.Diagnostics;

namespace Pipelines.Processes;

/// <summary>
/// Signals every process of an attempt: the process group its main process leads (it is started in
/// a session of its own), and every process whose environment carries the attempt's marker — its
/// children that left the group, and orphans of a crashed host. Never this host's own group.
/// </summary>
internal static class AttemptProcesses
{
    private static readonly int? OwnGroup = OperatingSystem.IsLinux() ? ProcessTable.TryRead(Environment.ProcessId)?.ProcessGroup : null;

    /// <summary>The environment entry that marks an attempt's processes: <c>PIPELINES_ATTEMPT=&lt;attempt id&gt;</c>.</summary>
    public static string Marker(string attemptId) => $"{AttemptEnvironment.AttemptVariable}={attemptId}";

    /// <summary>
    /// Sends <paramref name="signal"/> to each of <paramref name="pids"/> and to every process carrying
    /// <paramref name="marker"/>, each with the group it leads. Signalling group <c>-p</c> reaches only a
    /// group that <c>p</c> created: Linux does not reuse a pid while a group or session still has that id.
    /// </summary>
    /// <returns>The processes found and signalled (the given pids and the marked ones).</returns>
    public static SortedSet<int> Signal(IEnumerable<int> pids, string marker, int signal)
    {
        var targets = new SortedSet<int>(pids);
        if (OperatingSystem.IsLinux())
        {
            targets.UnionWith(ProcessTable.FindWithEnvironment(marker));
        }

        foreach (var pid in targets)
        {
            if (pid != OwnGroup)
            {
                ProcessSignals.Send(-pid, signal);
            }

            ProcessSignals.Send(pid, signal);
        }

        return targets;
    }

    /// <summary>
    /// Waits (at most a few seconds) until no live process carries <paramref name="marker"/>. After SIGKILL
    /// this takes milliseconds; it makes "stopped" mean gone. A zombie has no environment, so it counts as gone.
    /// </summary>
    public static async Task WaitGoneAsync(string marker)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var deadline = Stopwatch.StartNew();
        while (ProcessTable.FindWithEnvironment(marker).Count > 0 && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            // Polls the kernel, not a policy: signal delivery is asynchronous and /proc has no change notification.
            await Task.Delay(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        }
    }
}
