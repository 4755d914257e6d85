using System.Diagnostics;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// Tasks that try to hang, outlive or disturb the host, run by the host as a child process: it must
/// end on time, answer signals, leave nothing running, and keep its memory whatever a task writes.
/// </summary>
public sealed class HostileTaskTests : IDisposable
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private readonly ProjectFolder _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task An_output_replaced_by_a_fifo_fails_the_task_at_once_instead_of_hanging_the_host()
    {
        var watch = Stopwatch.StartNew();
        var result = await _project.RunAsync(HostProcess.TestHost, "run", "fifo", "--date", "2026-11-25", "--plain");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("trap failed (try 1): $PIPELINES_OUTPUT was replaced: it is a FIFO (named pipe), not a regular file", result.Stdout);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"the host took {watch.Elapsed}, longer than the task's timeout");
    }

    [Fact]
    public async Task A_host_whose_task_made_a_fifo_still_answers_sigterm()
    {
        using var host = _project.Start(HostProcess.TestHost, "run", "fifo", "--date", "2026-11-25", "--plain", "--param", "hold=true");
        host.WaitForLine("[trap] made");

        host.Signal(SigTerm);
        var result = await host.WaitForExitAsync();

        Assert.True(result.ExitCode == 143, result.ToString());
    }

    [Fact]
    public async Task Nothing_a_task_started_outlives_its_end_even_outside_its_session_and_environment()
    {
        var token = NewToken();

        var result = await _project.RunAsync(HostProcess.TestHost, "run", "escape", "--date", "2026-11-25", "--plain", "--param", $"token={token}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(ProcessesWith(token));
    }

    [Theory]
    [InlineData(SigInt, 130)]
    [InlineData(SigTerm, 143)]
    public async Task Nothing_a_task_started_outlives_a_stopped_run(int signal, int exitCode)
    {
        SignalsMustReachTheHost(signal);
        var token = NewToken();
        using var host = _project.Start(HostProcess.TestHost, "run", "escape", "--date", "2026-11-25", "--plain", "--param", $"token={token}", "--param", "wait=true");
        host.WaitForLine("[spawn] started");
        Assert.NotEmpty(ProcessesWith(token));

        host.Signal(signal);
        var result = await host.WaitForExitAsync();

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Empty(ProcessesWith(token));
    }

    [Fact]
    public async Task Nothing_a_task_started_outlives_its_adoption_after_a_host_crash()
    {
        var token = NewToken();
        using (var host = _project.Start(HostProcess.TestHost, "run", "escape", "--date", "2026-11-25", "--plain", "--param", $"token={token}", "--param", "wait=true"))
        {
            host.WaitForLine("[spawn] started");
            host.Crash();
        }

        Assert.NotEmpty(ProcessesWith(token));
        File.WriteAllText(Path.Combine(_project.StateFolder, "volumes", "escape-data", $"go-{token}"), "");
        var rerun = await _project.RunAsync(HostProcess.TestHost, "run", "escape", "--date", "2026-11-25", "--plain", "--param", $"token={token}", "--param", "wait=true");

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Contains("spawn success (try 1)", rerun.Stdout);
        Assert.Empty(ProcessesWith(token));
    }

    [Fact]
    public async Task Two_runs_of_one_dag_and_date_with_different_stores_leave_each_other_alone()
    {
        var token = NewToken();
        string[] Args(string store) => ["run", "escape", "--date", "2026-11-25", "--plain", "--param", $"token={token}", "--param", "wait=true", "--state", Path.Combine(_project.Path, store, "state.db")];
        using var first = _project.Start(HostProcess.TestHost, Args("first"));
        first.WaitForLine("[spawn] started");
        using var second = _project.Start(HostProcess.TestHost, Args("second"));
        second.WaitForLine("[spawn] started");

        File.WriteAllText(Path.Combine(_project.StateFolder, "volumes", "escape-data", $"go-{token}"), "");
        var one = await first.WaitForExitAsync();
        var two = await second.WaitForExitAsync();

        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.True(two.ExitCode == 0, two.ToString());
        Assert.Contains("[spawn] done", one.Stdout);
        Assert.Contains("[spawn] done", two.Stdout);
        foreach (var store in new[] { "first", "second" })
        {
            var log = Assert.Single(Directory.GetFiles(Path.Combine(_project.Path, store, "logs"), "1.log", SearchOption.AllDirectories));
            Assert.Equal("started\ndone\n", File.ReadAllText(log));
        }
    }

    [Fact]
    public async Task A_100_MB_line_is_logged_in_pieces_within_a_128_MB_heap()
    {
        var start = HostProcess.StartInfo(HostProcess.TestHost, _project.Path, new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x8000000" }, ["run", "flood", "--date", "2026-11-25", "--plain"]);
        using var host = Process.Start(start)!;
        var stdout = host.StandardOutput.BaseStream.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken);
        var stderr = host.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await host.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        await stdout;

        Assert.True(host.ExitCode == 0, await stderr);
        var log = Assert.Single(Directory.GetFiles(Path.Combine(_project.StateFolder, "logs", "flood"), "1.log", SearchOption.AllDirectories));
        var lengths = File.ReadLines(log).Select(l => l.Length).ToList();
        Assert.Equal(100_000_000, lengths.Take(lengths.Count - 1).Sum());
        Assert.All(lengths, length => Assert.InRange(length, 0, 16 * 1024));
        Assert.Equal("end", File.ReadLines(log).Last());
    }

    private static string NewToken() => "t" + Guid.NewGuid().ToString("N");

    // Background jobs of POSIX shells start with SIGINT ignored, and the host inherits that.
    private static void SignalsMustReachTheHost(int signal)
    {
        if (signal == SigInt && File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) is { } line
            && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (SigInt - 1))) != 0)
        {
            Assert.Skip("SIGINT is ignored in this test process (started as a background job), so the host child would ignore Ctrl+C too");
        }
    }

    /// <summary>Live processes whose environment holds the test's token (the escapee clears everything else).</summary>
    private static List<int> ProcessesWith(string token)
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
                if (File.ReadAllText(Path.Combine(dir, "environ")).Contains($"PIPELINES_TEST_TOKEN={token}", StringComparison.Ordinal))
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
}
