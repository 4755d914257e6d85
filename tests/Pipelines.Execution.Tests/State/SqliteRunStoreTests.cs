using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.Tests.Shared;

namespace Pipelines.Execution.Tests.State;

public sealed class SqliteRunStoreTests : RunStoreContractTests
{
    private readonly string _root = Directory.CreateTempSubdirectory("pipelines-store-").FullName;

    private string StatePath => RunPaths.DefaultStatePath(_root);

    protected override IRunStore CreateStore() => new SqliteRunStore(StatePath);

    public override void Dispose()
    {
        base.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void The_file_and_its_folder_are_created_where_asked()
    {
        Assert.Equal(Path.Combine(_root, ".pipelines", "state.db"), Store.Location);
        Assert.True(File.Exists(StatePath));
    }

    [Fact]
    public void A_reopened_store_sees_everything_written_before()
    {
        var (run, tasks, attempts) = FullRecords();
        Commit(run, tasks, attempts, dagId: run.DagId, runId: run.RunId);
        Store.Dispose();

        using var reopened = new SqliteRunStore(StatePath);

        AssertRoundTrip(reopened, run, tasks, attempts);
    }

    [Fact]
    public void The_file_is_in_wal_mode_with_schema_version_4()
    {
        _ = Store;

        using var connection = Connect();
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode"));
        Assert.Equal(4L, Scalar(connection, "PRAGMA user_version"));
        Assert.Equal(
            ["attempts", "dag_runs", "store_info", "task_instances"],
            Rows(connection, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").Select(r => (string)r[0]));
        Assert.Equal(Store.StoreId, Scalar(connection, "SELECT value FROM store_info WHERE key = 'store_id'"));
    }

    [Fact]
    public void The_store_id_is_kept_across_reopening_and_differs_between_files()
    {
        var id = Store.StoreId;
        Store.Dispose();

        using var reopened = new SqliteRunStore(StatePath);
        using var other = new SqliteRunStore(Path.Combine(Path.GetDirectoryName(StatePath)!, "other.db"));

        Assert.Matches("^[0-9a-f]{12}$", id);
        Assert.Equal(id, reopened.StoreId);
        Assert.NotEqual(id, other.StoreId);
    }

    [Fact]
    public void A_version_1_file_is_upgraded_in_place_keeping_its_runs()
    {
        Commit(Run("r1"), [Task("a")]);
        Store.Dispose();
        using (var connection = Connect())
        {
            Scalar(connection, "DROP TABLE store_info");
            Scalar(connection, "ALTER TABLE attempts DROP COLUMN runtime");
            Scalar(connection, "ALTER TABLE attempts DROP COLUMN memory_peak");
            Scalar(connection, "ALTER TABLE attempts DROP COLUMN cpu_seconds");
            Scalar(connection, "PRAGMA user_version = 1");
        }

        using var upgraded = new SqliteRunStore(StatePath);

        Assert.Matches("^[0-9a-f]{12}$", upgraded.StoreId);
        Assert.Equal("a", Assert.Single(upgraded.LoadTasks("etl", "r1")).TaskId);
        using var check = Connect();
        Assert.Equal(4L, Scalar(check, "PRAGMA user_version"));
    }

    [Fact]
    public void A_version_2_file_is_upgraded_in_place_its_attempts_of_no_known_runtime_and_its_id_kept()
    {
        Commit(Run("r1"), [Task("a")], [Attempt("a", 1, AttemptState.Running)]);
        var id = Store.StoreId;
        Store.Dispose();
        using (var connection = Connect())
        {
            Scalar(connection, "ALTER TABLE attempts DROP COLUMN runtime");
            Scalar(connection, "ALTER TABLE attempts DROP COLUMN memory_peak");
            Scalar(connection, "ALTER TABLE attempts DROP COLUMN cpu_seconds");
            Scalar(connection, "PRAGMA user_version = 2");
        }

        using var upgraded = new SqliteRunStore(StatePath);
        var batch = new StoreBatch();
        batch.Attempts.Add(("etl", "r1", Attempt("a", 2, AttemptState.Starting) with { Runtime = "process" }));
        upgraded.Commit(batch);

        Assert.Equal(id, upgraded.StoreId);
        Assert.Equal([(1, null), (2, "process")], upgraded.LoadAttempts("etl", "r1", "a").Select(a => (a.TryNumber, a.Runtime)));
        using var check = Connect();
        Assert.Equal(4L, Scalar(check, "PRAGMA user_version"));
    }

    [Fact]
    public void A_version_3_file_is_upgraded_in_place_and_keeps_what_each_attempt_used_from_then_on()
    {
        Commit(Run("r1"), [Task("a")], [Attempt("a", 1, AttemptState.Success)]);
        Store.Dispose();
        using (var connection = Connect())
        {
            Scalar(connection, "ALTER TABLE attempts DROP COLUMN memory_peak");
            Scalar(connection, "ALTER TABLE attempts DROP COLUMN cpu_seconds");
            Scalar(connection, "PRAGMA user_version = 3");
        }

        using var upgraded = new SqliteRunStore(StatePath);
        var batch = new StoreBatch();
        batch.Attempts.Add(("etl", "r1", Attempt("a", 2, AttemptState.Success) with { MemoryPeakBytes = 67_108_864, CpuSeconds = 1.25 }));
        upgraded.Commit(batch);

        Assert.Equal(
            new (int, long?, double?)[] { (1, null, null), (2, 67_108_864L, 1.25) },
            upgraded.LoadAttempts("etl", "r1", "a").Select(a => (a.TryNumber, a.MemoryPeakBytes, a.CpuSeconds)));
        using var check = Connect();
        Assert.Equal(4L, Scalar(check, "PRAGMA user_version"));
    }

    [Fact]
    public void States_and_times_are_readable_text_in_the_file()
    {
        var logical = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.FromHours(1));
        Commit(
            Run("manual__2026-11-25T00:00:00+01:00", logical) with { State = RunState.Cancelled },
            [Task("load", TaskState.UpstreamFailed), Task("extract", TaskState.UpForRetry, 1)],
            [Attempt("extract", 1, AttemptState.Starting)],
            runId: "manual__2026-11-25T00:00:00+01:00");

        using var connection = Connect();
        var run = Assert.Single(Rows(connection, "SELECT state, logical_date FROM dag_runs"));
        Assert.Equal(["cancelled", "2026-11-25T00:00:00.0000000+01:00"], run);
        Assert.Equal(
            ["up_for_retry", "upstream_failed"],
            Rows(connection, "SELECT state FROM task_instances ORDER BY task_id").Select(r => (string)r[0]));
        Assert.Equal("starting", Scalar(connection, "SELECT state FROM attempts"));
    }

    [Fact]
    public void A_file_from_a_newer_version_is_refused_and_left_unchanged()
    {
        Commit(Run("r1"), [Task("a")]);
        Store.Dispose();
        using (var connection = Connect())
        {
            Scalar(connection, "PRAGMA user_version = 5");
        }

        var before = File.ReadAllBytes(StatePath);

        var error = Assert.Throws<RunStoreVersionException>(() => new SqliteRunStore(StatePath));

        Assert.Contains(StatePath, error.Message, StringComparison.Ordinal);
        Assert.Contains("version 5", error.Message, StringComparison.Ordinal);
        Assert.Contains("version 4", error.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade Pipelines", error.Message, StringComparison.Ordinal);
        Assert.Equal((StatePath, 5, 4), (error.FilePath, error.FileVersion, error.SupportedVersion));
        Assert.Equal(before, File.ReadAllBytes(StatePath));
    }

    [Theory]
    [InlineData("not a database")]
    [InlineData("{\"environments\": {\"local\": {\"runtime\": \"process\"}}, \"padding\": \"................................................................................................................\"}")]
    public void A_file_that_is_not_sqlite_is_refused_with_its_name(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StatePath)!);
        File.WriteAllText(StatePath, content);

        var error = Assert.Throws<RunStoreException>(() => new SqliteRunStore(StatePath));

        Assert.Contains(StatePath, error.Message, StringComparison.Ordinal);
        Assert.Contains("not a SQLite database", error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(StatePath));
    }

    [Fact]
    public void A_sqlite_file_of_another_program_is_refused()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StatePath)!);
        using (var connection = Connect())
        {
            Scalar(connection, "CREATE TABLE customers (id INTEGER)");
        }

        var error = Assert.Throws<RunStoreException>(() => new SqliteRunStore(StatePath));

        Assert.Contains("not a Pipelines run store", error.Message, StringComparison.Ordinal);
        using var check = Connect();
        Assert.Equal(0L, Scalar(check, "SELECT count(*) FROM sqlite_schema WHERE name = 'dag_runs'"));
    }

    [Fact]
    public void A_directory_is_refused_with_a_file_path_to_pass_instead()
    {
        var error = Assert.Throws<RunStoreException>(() => new SqliteRunStore(_root));

        Assert.Equal($"The run store '{_root}' is a directory, not a file. Pass the path of a file, which is created when missing, such as '{Path.Combine(_root, "state.db")}'.", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_regular_one_is_refused_and_nothing_is_written_beside_it()
    {
        // A socket: a special file any user can make, as /dev/null is one (--state /dev/null).
        var path = Path.Combine(_root, "store.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));

        var error = Assert.Throws<RunStoreException>(() => new SqliteRunStore(path));

        Assert.Equal($"The run store '{path}' is a socket, not a file. Pass the path of a file, which is created when missing.", error.Message);
        Assert.Equal([path], Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public void A_store_that_lost_a_table_is_refused_naming_the_table()
    {
        Commit(Run("r1"));
        Store.Dispose();
        using (var connection = Connect())
        {
            Scalar(connection, "DROP TABLE attempts");
        }

        var error = Assert.Throws<RunStoreException>(() => new SqliteRunStore(StatePath));

        Assert.Equal($"The run store '{StatePath}' is damaged: it has no table attempts. Move it away (a new, empty store is created in its place), or pass another state file.", error.Message);
    }

    [Fact]
    public void A_read_that_fails_names_the_store()
    {
        Commit(Run("r1"));
        using (var connection = Connect())
        {
            Scalar(connection, "DROP TABLE dag_runs");
        }

        var error = Assert.Throws<RunStoreException>(() => Store.FindRun("etl", "r1"));

        Assert.Contains($"Could not read the run store '{StatePath}' (", error.Message, StringComparison.Ordinal);
        Assert.Contains("no such table: dag_runs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_that_cannot_be_made_is_an_error_naming_the_store_and_what_to_do()
    {
        var blocker = Path.Combine(_root, "blocker");
        File.WriteAllText(blocker, "a file where the store's folder belongs");
        var path = Path.Combine(blocker, "state.db");

        var error = Assert.Throws<RunStoreException>(() => new SqliteRunStore(path));

        Assert.StartsWith($"Could not create the folder of the run store '{path}': ", error.Message);
        Assert.EndsWith($"Make '{blocker}' writable and give it free space, or pass another state file.", error.Message);
    }

    [Fact]
    public void A_run_lock_that_cannot_be_taken_is_an_error_naming_the_lock_and_what_to_do()
    {
        var locks = Path.Combine(_root, ".pipelines", "locks");
        _ = Store;
        File.WriteAllText(locks, "a file where the locks folder belongs");

        var error = Assert.Throws<RunStoreException>(() => Store.TryLockRun("etl", "r1", out _));

        Assert.StartsWith($"Could not take the run lock '{RunPaths.LockFile(locks, "etl", "r1")}': ", error.Message);
        Assert.EndsWith($"Make '{locks}' writable and give it free space, or pass another state file.", error.Message);
    }

    [Fact]
    public void Two_stores_on_one_file_see_each_others_commits_and_locks()
    {
        using var second = new SqliteRunStore(StatePath);
        Commit(Run("r1"));

        Assert.NotNull(second.FindRun("etl", "r1"));
        using var held = Store.TryLockRun("etl", "r1", out _);
        Assert.Null(second.TryLockRun("etl", "r1", out var holder));
        Assert.Contains($"pid {Environment.ProcessId}", holder, StringComparison.Ordinal);
    }

    [Fact]
    public void Lock_files_live_beside_the_store_and_stay_after_release()
    {
        var expected = RunPaths.LockFile(Path.Combine(_root, ".pipelines", "locks"), "etl", "manual__2026-11-25T00:00:00+00:00");

        Store.TryLockRun("etl", "manual__2026-11-25T00:00:00+00:00", out _)!.Dispose();

        // Kept: deleting a lock file another process waits on would let two processes hold the run.
        Assert.True(File.Exists(expected));
        Assert.Matches("^etl__manual__2026-11-25T00_00_00_00_00-[0-9a-f]{12}\\.lock$", Path.GetFileName(expected));
    }

    [Fact]
    public void A_lock_held_by_a_process_that_is_killed_is_free_again()
    {
        const string Flock = "/usr/bin/flock";
        if (!File.Exists(Flock))
        {
            MachineRequirement.Unmet($"{Flock} (util-linux) is not installed, so no child process can hold the lock.");
        }

        var lockPath = RunPaths.LockFile(Path.Combine(_root, ".pipelines", "locks"), "etl", "r1");
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        // --close: only flock itself holds the lock, not the sleep it runs.
        using var child = Process.Start(new ProcessStartInfo(Flock) { ArgumentList = { "--close", lockPath, "sleep", "60" } })!;
        try
        {
            string? holder = null;
            var waiting = Stopwatch.StartNew();
            while (true)
            {
                using (var probe = Store.TryLockRun("etl", "r1", out holder))
                {
                    if (probe is null)
                    {
                        break;
                    }
                }

                Assert.False(child.HasExited, $"flock exited with {(child.HasExited ? child.ExitCode : 0)} before taking the lock");
                Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(5), "flock did not take the lock within 5 s");
                Thread.Sleep(10);
            }

            Assert.Contains("another process", holder, StringComparison.Ordinal);

            child.Kill(entireProcessTree: true); // SIGKILL: no chance to release anything itself
            child.WaitForExit();

            using var taken = Store.TryLockRun("etl", "r1", out holder);
            Assert.NotNull(taken);
            Assert.Null(holder);
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = StatePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static List<object[]> Rows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object[]>();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }
}
