using Microsoft.Data.Sqlite;
using Pipelines.Processes;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary><c>run</c> and friends as a user runs them: real processes, exit codes, signals, crashes.</summary>
public sealed class RunCommandTests : IDisposable
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private readonly ProjectFolder _project = new();

    public void Dispose() => _project.Dispose();

    private string StoredHandle(string taskId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_project.StateFolder, "state.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT handle FROM attempts WHERE task_id = $task ORDER BY try_number DESC LIMIT 1";
        command.Parameters.AddWithValue("$task", taskId);
        return command.ExecuteScalar() as string ?? "";
    }

    // The slow DAG's first sleepy attempt waits for this file.
    private void LetSleepyGo() => File.WriteAllText(Path.Combine(_project.StateFolder, "volumes", "slow-data", "go"), "");

    // Waits for what other processes do; fails after a minute.
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(1), "the condition never held");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Run_orders_daily_on_the_process_runtime_succeeds_and_reports_the_validated_rows()
    {
        var result = await _project.RunAsync(HostProcess.ExamplesHost, "run", "orders_daily", "--date", "2026-11-25");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith(
            $"Runtime: process — auto (environment 'local') tries docker, then process; docker: no engine answered at {ProjectFolder.NoEngine} (docker.endpoint of environment 'local'): ",
            result.Stdout);
        Assert.Contains("process: tasks run as local processes; their images are not used.", result.Stdout);
        Assert.Contains("orders_daily manual__2026-11-25T00:00:00+00:00: success (5 success)", result.Stdout);
        var report = _project.Volume("orders-data", "20261125/report.txt");
        Assert.StartsWith("Orders report for 2026-11-25\nrows: 206\ntotal: 50979\nby region:\n  east: 13180\n", report);
        Assert.Contains("[report] rows: 206", result.Stdout);
        Assert.True(File.Exists(Path.Combine(_project.StateFolder, "state.db")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_project.StateFolder, "logs", "orders_daily"), "1.log", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_failing_task_exits_1_and_shows_its_log_tail()
    {
        var result = await _project.RunAsync(HostProcess.TestHost, "run", "fails", "--date", "2026-11-25");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("✗ boom failed (try 1): exit code 3", result.Stderr);
        Assert.Contains("  | line 30 of boom", result.Stderr);
        Assert.DoesNotContain("  | line 5 of boom", result.Stderr);
        var log = Directory.GetFiles(Path.Combine(_project.StateFolder, "logs", "fails"), "1.log", SearchOption.AllDirectories).Single(f => f.Contains("boom", StringComparison.Ordinal));
        Assert.Contains("cannot connect to warehouse", File.ReadAllText(log)); // stderr is logged too
        Assert.Contains("fails manual__2026-11-25T00:00:00+00:00: failed (1 failed, 1 upstream_failed)", result.Stdout);
    }

    [Fact]
    public async Task A_definition_error_exits_2_and_starts_nothing()
    {
        var result = await _project.RunAsync(HostProcess.TestHost, "run", "cyclic", "--date", "2026-11-25");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("cycle: extract → transform → load → extract", result.Stderr);
        Assert.False(Directory.Exists(_project.StateFolder));
    }

    [Theory]
    [InlineData(new[] { "run", "nope", "--date", "2026-11-25" }, "There is no DAG 'nope'")]
    [InlineData(new[] { "test", "orders_daily", "nope", "--date", "2026-11-25" }, "has no task 'nope'; its tasks: aggregate_by_customer")]
    [InlineData(new[] { "run", "orders_daily", "--date", "25/11/2026" }, "is not a date; write YYYY-MM-DD")]
    [InlineData(new[] { "run", "orders_daily", "--date", "2026-11-25", "--param", "novalue" }, "--param 'novalue' is not name=value")]
    [InlineData(new[] { "run", "orders_daily", "--date", "2026-11-25", "--param", "limit=3" }, "'limit' is not a parameter of the DAG")]
    [InlineData(new[] { "run", "orders_daily", "--date", "2026-11-25", "--runtime", "kubernetes" }, "The kubernetes runtime (--runtime) cannot run DAG 'orders_daily' here: Kubernetes at /nonexistent/pipelines-test-kubeconfig (KUBECONFIG): no kubeconfig at /nonexistent/pipelines-test-kubeconfig")]
    [InlineData(new[] { "run", "orders_daily", "--date", "2026-11-25", "--max-active", "0" }, "--max-active '0' is not a task count; write a whole number from 1 to 2147483647.")]
    [InlineData(new[] { "run", "orders_daily", "--date", "2026-11-25", "--max-active", "-1" }, "--max-active '-1' is not a task count")]
    [InlineData(new[] { "run", "orders_daily", "--date", "2026-11-25", "--max-active", "abc" }, "--max-active 'abc' is not a task count")]
    [InlineData(new[] { "run", "orders_daily", "--date", "2026-11-25", "--max-active", "99999999999" }, "--max-active '99999999999' is not a task count")]
    public async Task Bad_input_exits_2_with_a_clear_message_and_changes_nothing(string[] args, string message)
    {
        var result = await _project.RunAsync(HostProcess.ExamplesHost, args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr); // no stack trace
        Assert.False(Directory.Exists(_project.StateFolder));
    }

    [Fact]
    public async Task A_run_store_written_by_a_newer_version_is_refused_and_left_unchanged()
    {
        var path = Path.Combine(_project.StateFolder, "state.db");
        Directory.CreateDirectory(_project.StateFolder);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99;";
            command.ExecuteNonQuery();
        }

        var before = File.ReadAllBytes(path);

        var result = await _project.RunAsync(HostProcess.ExamplesHost, "run", "orders_daily", "--date", "2026-11-25");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("99", result.Stderr);
        Assert.Contains("upgrade", result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData(SigInt, 130)]
    [InlineData(SigTerm, 143)]
    public async Task A_stop_signal_stops_running_attempts_records_them_cancelled_and_leaves_nothing_running(int signal, int exitCode)
    {
        if (signal == SigInt && IsIgnoredHere(SigInt))
        {
            // A POSIX shell starts a background job (dotnet test &) with SIGINT ignored; the host inherits
            // that and keeps ignoring it, as a background job should, so there is no Ctrl+C to test.
            Assert.Skip("SIGINT is ignored in this test process (started as a background job?), and so in the host it starts: Ctrl+C cannot reach it.");
        }

        using var host = _project.Start(HostProcess.TestHost, "run", "slow", "--date", "2026-11-25", "--plain");
        host.WaitForLine("[sleepy] sleeping");

        host.Signal(signal);
        var result = await host.WaitForExitAsync();

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains("sleepy cancelled", result.Stdout);
        Assert.Empty(_project.AttemptProcesses("slow"));
        var runs = await _project.RunAsync(HostProcess.TestHost, "runs", "slow");
        Assert.Contains("cancelled", runs.Stdout);
    }

    [Fact]
    public async Task Runs_shows_a_live_run_as_running_and_the_run_of_a_dead_host_as_interrupted()
    {
        using var host = _project.Start(HostProcess.TestHost, "run", "slow", "--date", "2026-11-25", "--plain");
        host.WaitForLine("[sleepy] sleeping");

        var live = await _project.RunAsync(HostProcess.TestHost, "runs", "slow");
        host.Crash();
        var dead = await _project.RunAsync(HostProcess.TestHost, "runs", "slow");
        StopOrphans("slow");

        Assert.Equal("running", StateOfOnlyRun(live));
        Assert.Equal("interrupted", StateOfOnlyRun(dead));
    }

    [Fact]
    public async Task After_a_host_crash_a_rerun_re_attaches_to_the_running_attempt_keeps_succeeded_tasks_and_runs_no_attempt_twice()
    {
        using (var host = _project.Start(HostProcess.TestHost, "run", "slow", "--date", "2026-11-25", "--plain"))
        {
            host.WaitForLine("[sleepy] sleeping");
            host.Crash();
        }

        Assert.NotEmpty(_project.AttemptProcesses("slow")); // the crash left the attempt running
        var handle = StoredHandle("sleepy");
        Assert.Matches("^pid:[0-9]+:start:[0-9]+$", handle); // written when the attempt started, before the crash
        Assert.True(Directory.Exists($"/proc/{handle.Split(':')[1]}"), handle);
        using var rerun = _project.Start(HostProcess.TestHost, "run", "slow", "--date", "2026-11-25", "--plain");
        rerun.WaitForLine("sleepy running (try 1): re-attached");
        LetSleepyGo();
        var result = await rerun.WaitForExitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("(resuming: succeeded tasks are kept)", result.Stdout);
        Assert.Contains("[sleepy] woke", result.Stdout); // its log continues
        Assert.Empty(_project.AttemptProcesses("slow"));
        Assert.Equal("first\n", _project.Volume("slow-data", "first.log"));
        Assert.Equal("start 1\nend 1\n", _project.Volume("slow-data", "sleepy.log"));
        Assert.Equal("last\n", _project.Volume("slow-data", "last.log"));
        Assert.Contains("slow manual__2026-11-25T00:00:00+00:00: success (3 success)", result.Stdout);
    }

    [Fact]
    public async Task An_attempt_that_finished_while_its_host_was_dead_is_read_not_run_again()
    {
        using (var host = _project.Start(HostProcess.TestHost, "run", "slow", "--date", "2026-11-25", "--plain"))
        {
            host.WaitForLine("[sleepy] sleeping");
            host.Crash();
        }

        LetSleepyGo();
        await WaitUntilAsync(() => _project.AttemptProcesses("slow").Count == 0); // it ended with no host to see it
        var rerun = await _project.RunAsync(HostProcess.TestHost, "run", "slow", "--date", "2026-11-25", "--plain");

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Equal("start 1\nend 1\n", _project.Volume("slow-data", "sleepy.log"));
        Assert.Contains("sleepy success (try 1)", rerun.Stdout);
        Assert.Contains("[sleepy] woke", rerun.Stdout);
        Assert.Equal("last\n", _project.Volume("slow-data", "last.log"));
    }

    [Fact]
    public async Task A_host_killed_at_random_lines_again_and_again_never_runs_a_task_twice()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var crash = 0; crash < 6; crash++)
        {
            using var host = _project.Start(HostProcess.TestHost, "run", "crashy", "--date", "2026-11-25", "--plain");
            var line = random.Next(3, 16);
            if (!host.TryWaitForLines(line))
            {
                break; // the run ended before that line: nothing left to crash
            }

            host.Crash();
        }

        var final = await _project.RunAsync(HostProcess.TestHost, "run", "crashy", "--date", "2026-11-25", "--plain");

        Assert.True(final.ExitCode == 0, $"seed {seed}\n{final}");
        var ran = _project.Volume("crashy-data", "ran.log").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var task in new[] { "extract", "clean_a", "clean_b", "clean_c", "merge", "publish" })
        {
            Assert.True(ran.Count(l => l == $"{task} start") == 1, $"seed {seed}: {task} started {ran.Count(l => l == $"{task} start")} times\n{string.Join('\n', ran)}");
            Assert.True(ran.Count(l => l == $"{task} done") == 1, $"seed {seed}: {task} ended {ran.Count(l => l == $"{task} done")} times");
        }

        Assert.Empty(_project.AttemptProcesses("crashy"));
    }

    [Fact]
    public async Task A_second_run_of_the_same_dag_and_date_is_refused_while_the_first_lives_and_not_after_it_died()
    {
        using var first = _project.Start(HostProcess.TestHost, "run", "slow", "--date", "2026-11-25", "--plain");
        first.WaitForLine("[sleepy] sleeping");

        var second = await _project.RunAsync(HostProcess.TestHost, "run", "slow", "--date", "2026-11-25");
        first.Crash();
        LetSleepyGo();
        var third = await _project.RunAsync(HostProcess.TestHost, "run", "slow", "--date", "2026-11-25", "--plain");

        Assert.True(second.ExitCode == 2, second.ToString());
        Assert.Contains("is already running (pid ", second.Stderr);
        Assert.True(third.ExitCode == 0, third.ToString());
    }

    [Fact]
    public async Task A_failure_without_log_lines_prints_no_empty_log_tail()
    {
        var result = await _project.RunAsync(HostProcess.TestHost, "run", "fails_quietly", "--date", "2026-11-25");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("✗ mute failed (try 1): exit code 5\n", result.Stderr);
    }

    [Fact]
    public async Task A_run_resumed_with_other_parameter_values_is_refused_naming_each_and_starts_nothing()
    {
        var first = await _project.RunAsync(HostProcess.TestHost, "run", "with_params", "--date", "2026-11-25", "--param", "table=orders", "--plain");

        var other = await _project.RunAsync(HostProcess.TestHost, "run", "with_params", "--date", "2026-11-25", "--param", "limit=20", "--plain");
        var same = await _project.RunAsync(HostProcess.TestHost, "run", "with_params", "--date", "2026-11-25", "--param", "table=orders", "--plain");
        var test = await _project.RunAsync(HostProcess.TestHost, "test", "with_params", "show", "--date", "2026-11-25", "--param", "table=items");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(other.ExitCode == 2, other.ToString());
        Assert.Equal(
            "DAG 'with_params' run manual__2026-11-25T00:00:00+00:00 is recorded with other parameter values, and its tasks that ran used them; resuming with these would mix both:\n" +
            "  limit: recorded 10, requested 20\n" +
            "  table: recorded \"orders\", requested \"customers\"\n" +
            "Nothing was started. Resume it with the recorded values (no --param limit, its default; --param table=orders), or run the new values with another run store (--state FILE).\n",
            other.Stderr);
        Assert.Equal(string.Empty, other.Stdout);
        Assert.True(same.ExitCode == 0, same.ToString());
        Assert.Contains("(resuming: succeeded tasks are kept)", same.Stdout);
        Assert.True(test.ExitCode == 0, test.ToString()); // a test records nothing, so it may try other values
        Assert.Contains("[show] table=items limit=10", test.Stdout);
    }

    [Fact]
    public async Task Clear_after_an_error_prints_that_error_alone()
    {
        using var project = new ProjectFolder("""{ "environments": { "local": { }, "local": { } } }""");

        var result = await project.RunAsync(HostProcess.TestHost, "clear", "hello", "--date", "2026-11-25", "--task", "greet");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(
            $"{Path.Combine(project.Path, "pipelines.json")}: $.environments.local is set twice (key 'local' of $.environments); keep one — JSON readers silently use the last\n",
            result.Stderr);
    }

    [Fact]
    public async Task Secret_values_in_every_encoding_are_masked_in_stdout_stderr_logs_the_store_and_everything_under_dot_pipelines()
    {
        var result = await _project.RunAsync(HostProcess.TestHost, "run", "secretive", "--date", "2026-11-25", "--plain");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("[leak] password is ***", result.Stdout);
        Assert.Contains("[leak] python json: {\"token\": \"***\"}", result.Stdout);
        Assert.Contains("[leak] dotnet json: \"***\"", result.Stdout);
        Assert.Contains("[leak] base64: ***", result.Stdout);
        Assert.Contains("[leak] basic auth: ZXRsX3VzZXI6***", result.Stdout);
        Assert.Contains("  | still ***", result.Stderr);
        Assert.Contains("leak_output failed (try 1): the output holds the value of secret 'database-credentials' key 'SOURCE_DB_PASSWORD' at $.auth.token", result.Stderr);
        var everything = result.Stdout + result.Stderr + string.Concat(
            Directory.GetFiles(_project.StateFolder, "*", SearchOption.AllDirectories).Select(f => File.ReadAllText(f)));
        foreach (var form in SecretForms.Of(ProjectFolder.Secret).Concat(SecretForms.Of(ProjectFolder.JsonSecret)))
        {
            Assert.DoesNotContain(form, everything, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_secret_too_short_to_mask_is_named_in_a_warning_before_the_run_never_its_value()
    {
        var environment = new Dictionary<string, string>(ProjectFolder.SecretEnvironment) { ["PIPELINES_SECRET_API_TOKEN"] = "q7" };

        var result = await HostProcess.RunAsync(HostProcess.TestHost, _project.Path, environment, "run", "secretive", "--date", "2026-11-25", "--plain");

        Assert.Contains("warning: secret 'api' key 'TOKEN' is shorter than 3 characters, so it is not masked", result.Stderr);
        Assert.True(result.Stderr.IndexOf("warning: secret 'api'", StringComparison.Ordinal) < result.Stderr.IndexOf("✗", StringComparison.Ordinal), result.ToString());
        Assert.DoesNotContain("'q7'", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task A_missing_secret_is_a_usage_error_naming_the_variable_and_never_a_value()
    {
        var result = await HostProcess.RunAsync(HostProcess.TestHost, _project.Path, "run", "secretive", "--date", "2026-11-25");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("secret 'database-credentials' key 'SOURCE_DB_PASSWORD' is not set here; set PIPELINES_SECRET_DATABASE_CREDENTIALS_SOURCE_DB_PASSWORD", result.Stderr);
        Assert.False(Directory.Exists(_project.StateFolder));
    }

    [Fact]
    public async Task Clear_with_downstream_makes_the_next_run_redo_those_tasks_with_new_try_numbers()
    {
        await _project.RunAsync(HostProcess.ExamplesHost, "run", "orders_daily", "--date", "2026-11-25");

        var clear = await _project.RunAsync(HostProcess.ExamplesHost, "clear", "orders_daily", "--date", "2026-11-25", "--task", "aggregate_by_region", "--downstream");
        var rerun = await _project.RunAsync(HostProcess.ExamplesHost, "run", "orders_daily", "--date", "2026-11-25", "--plain");

        Assert.True(clear.ExitCode == 0, clear.ToString());
        Assert.Contains("Cleared 2 task(s)", clear.Stdout);
        Assert.Contains("aggregate_by_region running (try 2)", rerun.Stdout);
        Assert.Contains("report running (try 2)", rerun.Stdout);
        Assert.DoesNotContain("generate_orders running", rerun.Stdout);
    }

    [Fact]
    public async Task Test_runs_one_task_alone_and_records_nothing()
    {
        var result = await _project.RunAsync(HostProcess.ExamplesHost, "test", "orders_daily", "generate_orders", "--date", "2026-11-25");
        var runs = await _project.RunAsync(HostProcess.ExamplesHost, "runs", "orders_daily");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("[generate_orders] generated 206 orders for 2026-11-25", result.Stdout);
        Assert.Contains("No runs of 'orders_daily' yet.", runs.Stdout);
    }

    [Fact]
    public async Task The_readme_smallest_pipeline_runs_and_passes_an_output_downstream()
    {
        var result = await _project.RunAsync(HostProcess.TestHost, "run", "hello", "--date", "2026-11-25", "--plain");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("[greet] hello 2026-11-25", result.Stdout);
        Assert.Contains("[after] greet said n=1", result.Stdout);
    }

    // The STATE column of `runs` for a DAG with one run.
    private static string StateOfOnlyRun(HostResult runs) =>
        runs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Single().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];

    // What a crashed host left running, stopped here so that no test leaves processes behind.
    private void StopOrphans(string dagId)
    {
        foreach (var pid in _project.AttemptProcesses(dagId))
        {
            try
            {
                using var orphan = System.Diagnostics.Process.GetProcessById(pid);
                orphan.Kill();
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    // /proc/self/status lists ignored signals as a hex mask in which signal n is bit n - 1.
    private static bool IsIgnoredHere(int signal)
    {
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var mask = ulong.Parse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        return (mask & (1UL << (signal - 1))) != 0;
    }
}
