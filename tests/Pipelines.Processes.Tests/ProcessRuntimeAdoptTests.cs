using System.Diagnostics;
using System.Runtime.Versioning;
using Pipelines.Execution;
using Pipelines.Execution.Runtimes;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Processes.Tests;

/// <summary>
/// A restarted host adopting what a dead one left. The dead host's attempts are started here as it
/// would have started them (workspace, cgroup, shim) and then left to themselves.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ProcessRuntimeAdoptTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly ProcessTestBed _bed = new();
    private readonly List<System.Diagnostics.Process> _started = [];
    private readonly List<ChildProcess> _shims = [];

    public void Dispose()
    {
        foreach (var shim in _shims.Where(s => !s.Exited.IsCompleted))
        {
            ProcessSignals.Send(-shim.Pid, ProcessSignals.Kill);
        }

        foreach (var process in _started)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        _bed.Dispose();
    }

    [Fact]
    public async Task An_attempt_that_finished_while_the_host_was_down_is_read_not_run_again()
    {
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "echo done; printf '{\"rows\": 5}' > \"$PIPELINES_OUTPUT\"; exit 0"));
        var (shim, handle) = StartAsDeadHostWould(attempt);
        await shim.Exited.WaitAsync(Limit, TestContext.Current.CancellationToken);
        var sink = new RecordingSink();

        var result = await _bed.Runtime.AdoptAsync(attempt, handle, null, sink, TestContext.Current.CancellationToken);

        Assert.Equal(AttemptResult.Exited(0, """{"rows": 5}"""), result);
        Assert.Equal(["done"], sink.Lines);
        Assert.True(Directory.Exists(Workspace(attempt))); // until the executor has recorded the end
        await _bed.Runtime.ForgetAsync(AttemptKey.Of(attempt));
        Assert.False(Directory.Exists(Workspace(attempt)));
    }

    [Fact]
    public async Task A_running_attempt_is_re_attached_its_log_continued_where_the_dead_host_stopped_and_its_end_read()
    {
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c",
            "echo before; while [ ! -e \"$PIPELINES_OUTPUT.go\" ]; do sleep 0.01; done; echo after; printf '{\"n\": 1}' > \"$PIPELINES_OUTPUT\"; exit 3"));
        var (_, handle) = StartAsDeadHostWould(attempt);
        var workspace = Workspace(attempt);
        await WaitForAsync(() => File.Exists(Path.Combine(workspace, "log")) && File.ReadAllText(Path.Combine(workspace, "log")) == "before\n");
        var sink = new RecordingSink();

        // The dead host had kept "before" and its cursor: the byte after its line.
        var adopted = _bed.Runtime.AdoptAsync(attempt, handle, AttemptLog.Cursor(7), sink, TestContext.Current.CancellationToken);
        File.WriteAllText(Path.Combine(workspace, "output.json.go"), "");
        var result = await adopted.WaitAsync(Limit, TestContext.Current.CancellationToken);

        Assert.Equal(AttemptResult.Exited(3, """{"n": 1}"""), result);
        Assert.Equal(["after"], sink.Lines);
    }

    [Fact]
    public async Task A_re_attached_attempt_is_stopped_when_the_run_is_cancelled()
    {
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "echo ready; sleep 300"));
        var (shim, handle) = StartAsDeadHostWould(attempt);
        await WaitForAsync(() => File.ReadAllText(Path.Combine(Workspace(attempt), "log")).Contains("ready", StringComparison.Ordinal));
        using var cancel = new CancellationTokenSource();

        var adopted = _bed.Runtime.AdoptAsync(attempt, handle, null, new RecordingSink(), cancel.Token);
        await cancel.CancelAsync();
        var result = await adopted.WaitAsync(Limit, TestContext.Current.CancellationToken);

        Assert.Equal(AttemptOutcome.Stopped, result?.Outcome);
        Assert.Contains("SIGTERM", result?.Reason);
        await shim.Exited.WaitAsync(Limit, TestContext.Current.CancellationToken);
        Assert.Empty(_bed.Marked(attempt));
    }

    [Fact]
    public async Task An_attempt_killed_while_its_host_was_down_left_no_exit_status_and_is_a_host_crash()
    {
        var attempt = ProcessTestBed.Resolve(t => t.Command("sleep", "300"));
        var (shim, handle) = StartAsDeadHostWould(attempt);
        await WaitForAsync(() => _bed.Marked(attempt).Count >= 2); // the shim and its task
        ProcessSignals.Send(-shim.Pid, ProcessSignals.Kill); // an OOM kill, a reboot
        await shim.Exited.WaitAsync(Limit, TestContext.Current.CancellationToken);

        var result = await _bed.Runtime.AdoptAsync(attempt, handle, null, new RecordingSink(), TestContext.Current.CancellationToken);

        Assert.Equal(AttemptOutcome.Lost, result?.Outcome);
        Assert.StartsWith("host-crash: ", result?.Reason);
        Assert.Contains("without recording an exit status", result?.Reason);
        Assert.False(Directory.Exists(Workspace(attempt)));
    }

    [Fact]
    public async Task An_orphan_without_a_workspace_is_found_by_its_marker_killed_and_lost_with_host_crash()
    {
        var attempt = ProcessTestBed.Resolve(t => t.Command("sleep", "300"));
        var orphanParent = Start($"PIPELINES_ATTEMPT='{_bed.AttemptId(attempt)}' sh -c 'sleep 300 & sleep 300'");
        var marked = await WaitForMarkedAsync(attempt, 3);

        var result = await _bed.Runtime.AdoptAsync(attempt, handle: null, null, new RecordingSink(), TestContext.Current.CancellationToken);

        Assert.Equal(AttemptOutcome.Lost, result?.Outcome);
        Assert.StartsWith("host-crash: the attempt's processes (pids ", result?.Reason);
        Assert.All(marked, pid => Assert.Contains(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), result?.Reason));
        Assert.Empty(_bed.Marked(attempt));
        await orphanParent.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Limit, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_pid_whose_start_time_differs_is_another_process_and_is_left_alone()
    {
        var attempt = ProcessTestBed.Resolve(t => t.Command("sleep", "300"));
        var unrelated = Start("exec sleep 300");
        var handle = HandleOf(unrelated.Id);
        var reused = handle with { StartTime = handle.StartTime + 1 };

        var result = await _bed.Runtime.AdoptAsync(attempt, reused.ToString(), null, new RecordingSink(), TestContext.Current.CancellationToken);

        Assert.Equal(AttemptOutcome.Lost, result?.Outcome);
        Assert.StartsWith($"host-crash: the attempt's process ({reused}) had ended", result?.Reason);
        Assert.False(unrelated.HasExited);
        Assert.Equal(handle.StartTime, OperatingSystem.IsLinux() ? ProcessTable.TryRead(unrelated.Id)?.StartTime : null);
    }

    [Fact]
    public async Task Nothing_found_and_no_handle_means_the_attempt_never_started()
    {
        var attempt = ProcessTestBed.Resolve(t => t.Command("sleep", "300"));

        var result = await _bed.Runtime.AdoptAsync(attempt, handle: null, null, new RecordingSink(), TestContext.Current.CancellationToken);

        Assert.Null(result);
    }

    [Fact]
    public async Task What_a_finished_attempt_left_running_outside_its_session_and_environment_is_killed_on_adoption()
    {
        CgroupsRequired();
        var token = Guid.NewGuid().ToString("N");
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", Escape(token) + "; echo started"));
        var (shim, handle) = StartAsDeadHostWould(attempt);
        await shim.Exited.WaitAsync(Limit, TestContext.Current.CancellationToken);
        Assert.NotEmpty(ProcessesWith(token));

        var result = await _bed.Runtime.AdoptAsync(attempt, handle, null, new RecordingSink(), TestContext.Current.CancellationToken);

        Assert.Equal(AttemptResult.Exited(0), result);
        Assert.Empty(ProcessesWith(token));
    }

    [Fact]
    public async Task The_first_session_of_a_host_removes_the_empty_cgroups_a_dead_host_left_of_attempts_that_have_no_folder()
    {
        CgroupsRequired();
        var cgroups = AttemptCgroups.Available!;
        var abandoned = cgroups.Create($"{_bed.StoreId}-gone-attempt");
        var adoptable = cgroups.Create($"{_bed.StoreId}-waiting-attempt");
        var other = cgroups.Create($"x{_bed.StoreId}-someone-elses");
        Directory.CreateDirectory(Path.Combine(_bed.Runtime.WorkDirectory, $"{_bed.StoreId}-waiting-attempt"));
        try
        {
            await _bed.RunAsync(ProcessTestBed.Resolve(t => t.Command("true")));

            Assert.False(Directory.Exists(abandoned.Path));
            Assert.True(Directory.Exists(adoptable.Path));
            Assert.True(Directory.Exists(other.Path));
        }
        finally
        {
            adoptable.KillAndRemove();
            other.KillAndRemove();
        }
    }

    /// <summary>
    /// Shell text that starts a process which leaves the session and clears its environment but for
    /// <c>PIPELINES_TEST_TOKEN=token</c>, and waits until that process runs (it creates a file first).
    /// </summary>
    internal static string Escape(string token) =>
        $"setsid env -i PIPELINES_TEST_TOKEN={token} sh -c ': > \"$0\"; exec sleep 300' \"$PIPELINES_OUTPUT.{token}\" & " +
        $"while [ ! -e \"$PIPELINES_OUTPUT.{token}\" ]; do sleep 0.01; done";

    /// <summary>Live processes (not zombies) whose environment holds <c>PIPELINES_TEST_TOKEN=token</c>.</summary>
    internal static List<int> ProcessesWith(string token)
    {
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                if (ProcessTable.HasEnvironmentEntry(pid, $"PIPELINES_TEST_TOKEN={token}") && ProcessTable.TryRead(pid) is { HasExited: false })
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    /// <summary>Skips where this host cannot make cgroups — except in CI, which must be able to.</summary>
    internal static void CgroupsRequired()
    {
        if (!ProcessRuntime.ContainsAttemptsInCgroups)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "CI=true: this machine must let the tests make cgroups (cgroup v2, writable)");
            Assert.Skip("this host cannot make cgroups (cgroup v2 not mounted or not writable for this user)");
        }
    }

    // What RunAsync does up to the start — workspace, cgroup, shim — and no further: the "host" then dies.
    private (ChildProcess Shim, string Handle) StartAsDeadHostWould(ResolvedTask attempt)
    {
        var (name, marker) = ProcessRuntime.Identity(AttemptKey.Of(attempt), _bed.StoreId);
        var workspace = AttemptWorkspace.Create(_bed.Runtime.WorkDirectory, name, AttemptKey.Of(attempt));
        var cgroup = AttemptCgroups.Available?.Create(name);
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH")!,
            ["PIPELINES_OUTPUT"] = workspace.OutputFile,
            ["PIPELINES_ATTEMPT"] = marker["PIPELINES_ATTEMPT=".Length..],
        };
        var argv = attempt.Task.Command;
        var program = ProgramLocator.Locate(argv[0], environment["PATH"], workspace.Scratch);
        var shim = AttemptShim.Start(program, argv.Skip(1), environment, workspace.Scratch, workspace, cgroup);
        _shims.Add(shim);
        return (shim, HandleOf(shim.Pid).ToString());
    }

    private string Workspace(ResolvedTask attempt) => AttemptWorkspace.PathFor(_bed.Runtime.WorkDirectory, ProcessRuntime.Identity(AttemptKey.Of(attempt), _bed.StoreId).Name);

    private static ProcessHandle HandleOf(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("/proc is Linux's");
        }

        var stat = ProcessTable.TryRead(pid);
        Assert.NotNull(stat);
        return new ProcessHandle(pid, stat.Value.StartTime);
    }

    private async Task<List<int>> WaitForMarkedAsync(ResolvedTask attempt, int count)
    {
        var deadline = Stopwatch.StartNew();
        List<int> marked;
        while ((marked = _bed.Marked(attempt)).Count < count && deadline.Elapsed < Limit)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Equal(count, marked.Count);
        return marked;
    }

    // Waits for something another process does (a file it writes); fails after the limit.
    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < Limit, "the condition never held");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    private System.Diagnostics.Process Start(string script)
    {
        // Redirected so that the shell's "Killed" notice does not reach the test host's output.
        var info = new ProcessStartInfo("/bin/sh", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var process = System.Diagnostics.Process.Start(info)!;
        _started.Add(process);
        return process;
    }
}
