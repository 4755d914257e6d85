using System.Globalization;
using Pipelines.Execution.State;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// The scheduler as a user runs it, as a child process, on a DAG that runs every second and catches up: SIGKILLed and
/// restarted it starts no run twice and misses none; a second scheduler on the same store waits while the first lives
/// and takes over when it dies; SIGTERM ends it cleanly (143).
/// </summary>
public sealed class SchedulerTests : IDisposable
{
    private const string Dag = "every_second";
    private readonly ProjectFolder _project = new("""{ "environments": { "local": { "runtime": "process" } } }""");
    private readonly Dictionary<string, string> _environment;
    private readonly DateTimeOffset _start;

    public SchedulerTests()
    {
        var now = DateTimeOffset.UtcNow;
        _start = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddSeconds(1);
        _environment = new Dictionary<string, string>(ProjectFolder.SecretEnvironment)
        {
            ["PIPELINES_TEST_START"] = _start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
    }

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task Killed_and_restarted_it_starts_no_run_twice_and_misses_none()
    {
        using (var first = Start())
        {
            WaitForSuccesses(first, 3);
            first.Crash();
        }

        var restartedAt = DateTimeOffset.UtcNow;
        HostResult stopped;
        using (var second = Start())
        {
            // It catches up what closed while no scheduler lived, then goes on: wait for a run after the restart.
            while (!Succeeded().Any(r => r.LogicalDate > restartedAt.AddSeconds(2)))
            {
                WaitForSuccesses(second, 1);
            }

            second.Signal(15);
            stopped = await second.WaitForExitAsync();
        }

        Assert.True(stopped.ExitCode == 143, stopped.ToString());
        AssertEverySecondOnce();
    }

    [Fact]
    public async Task A_second_scheduler_waits_while_the_first_lives_and_takes_over_when_it_dies()
    {
        using var first = Start();
        first.WaitForLine("Scheduler of every_second");
        using var second = Start();
        second.WaitForLine("Another scheduler holds");
        WaitForSuccesses(first, 3);
        var beforeTakeover = Succeeded().Count;

        first.Crash();
        second.WaitForLine("Scheduler of every_second");
        WaitForSuccesses(second, 3);
        second.Signal(15);
        var result = await second.WaitForExitAsync();

        Assert.True(result.ExitCode == 143, result.ToString());
        var beforeItsTurn = result.Stdout[..result.Stdout.IndexOf("Scheduler of every_second", StringComparison.Ordinal)];
        Assert.DoesNotContain("Run scheduled__", beforeItsTurn); // it started nothing while the first lived
        Assert.True(Succeeded().Count > beforeTakeover);
        AssertEverySecondOnce();
    }

    [Fact]
    public async Task Catching_up_it_keeps_at_most_the_DAGs_max_active_runs_going_and_uses_them()
    {
        // slow_seconds: every second since 8 s ago is due at once; each run takes a second; MaxActiveRuns(2).
        var start = DateTimeOffset.UtcNow.AddSeconds(-8);
        var environment = new Dictionary<string, string>(_environment) { ["PIPELINES_TEST_START"] = start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) };
        HostResult result;
        using (var scheduler = LiveHost.Start(HostProcess.TestHost, _project.Path, environment, "scheduler", "slow_seconds"))
        {
            for (var i = 0; i < 4; i++)
            {
                scheduler.WaitForLine(": success (1 success)");
            }

            scheduler.Signal(15);
            result = await scheduler.WaitForExitAsync();
        }

        Assert.True(result.ExitCode == 143, result.ToString());
        using var store = new SqliteRunStore(Path.Combine(_project.StateFolder, "state.db"));
        var attempts = store.ListRuns("slow_seconds").SelectMany(r => store.LoadAttempts("slow_seconds", r.RunId)).ToList();
        var most = attempts.Max(a => attempts.Count(b => b.StartedAt <= a.StartedAt && a.StartedAt < (b.EndedAt ?? DateTimeOffset.MaxValue)));
        Assert.Equal(2, most);
    }

    private LiveHost Start() => LiveHost.Start(HostProcess.TestHost, _project.Path, _environment, "scheduler", Dag);

    private static void WaitForSuccesses(LiveHost host, int count)
    {
        for (var i = 0; i < count; i++)
        {
            host.WaitForLine(": success (1 success)");
        }
    }

    private List<DagRunRecord> Succeeded()
    {
        using var store = new SqliteRunStore(Path.Combine(_project.StateFolder, "state.db"));
        return [.. store.ListRuns(Dag).Where(r => r.State == RunState.Success)];
    }

    // Every second from the start to the last run has exactly one run (a run stopped by the final SIGTERM is cancelled,
    // the others succeeded), and none ran its task more than once (try 1 only).
    private void AssertEverySecondOnce()
    {
        using var store = new SqliteRunStore(Path.Combine(_project.StateFolder, "state.db"));
        var runs = store.ListRuns(Dag);
        var dates = runs.Select(r => r.LogicalDate.ToUniversalTime()).Order().ToList();
        var expected = Enumerable.Range(0, (int)(dates.Max() - _start).TotalSeconds + 1).Select(s => _start.AddSeconds(s)).ToList();
        Assert.Equal(expected, dates);
        Assert.All(runs, r => Assert.True(r.State is RunState.Success or RunState.Cancelled, $"{r.RunId}: {r.State}"));
        foreach (var run in runs)
        {
            var attempts = store.LoadAttempts(Dag, run.RunId);
            Assert.True(attempts.Count <= 1 && attempts.All(a => a.TryNumber == 1), $"{run.RunId}: {attempts.Count} attempts");
        }
    }
}
