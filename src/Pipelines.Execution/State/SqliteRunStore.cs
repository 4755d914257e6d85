using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Pipelines.Execution;

namespace Pipelines.Execution.State;

/// <summary>
/// The run store in one SQLite file (by default <c>.pipelines/state.db</c> beside <c>pipelines.json</c>,
/// see <see cref="RunPaths.DefaultStatePath"/>), in WAL mode. States are stored by their lowercase
/// Airflow names and times as ISO-8601 text with their offset, so the file reads well in the
/// <c>sqlite3</c> CLI. Run locks are OS file locks in a <c>locks</c> folder beside the file.
/// One instance is safe to use from several threads; several processes may share the file.
/// </summary>
public sealed class SqliteRunStore : IRunStore
{
    private const string TimeFormat = "o";

    // SQLITE_CORRUPT and SQLITE_NOTADB: the file is not a (readable) SQLite database.
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly string _locksFolder;

    // Prepared once and reused by every Commit: statement preparation would dominate small batches.
    private readonly SqliteCommand _upsertRun;
    private readonly SqliteCommand _upsertTask;
    private readonly SqliteCommand _upsertAttempt;
    private bool _disposed;

    /// <summary>
    /// Opens the store at <paramref name="path"/>, creating the file and its folder when missing.
    /// </summary>
    /// <exception cref="RunStoreVersionException">The file was written by a newer Pipelines; it is left unchanged.</exception>
    /// <exception cref="RunStoreException">The path is not a file (a directory, <c>/dev/null</c>); the file or its folder
    /// cannot be created, opened or written (read-only, full); the file is not a SQLite database, not a Pipelines
    /// run store, or lacks one of its tables. The message names the path and what to do.</exception>
    public SqliteRunStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Location = Path.GetFullPath(path);
        if (FileKinds.DescribeUnlessRegular(Location) is { } kind)
        {
            throw new RunStoreException(
                Location,
                $"The run store '{Location}' is {kind}, not a file. Pass the path of a file, which is created when missing" +
                (kind == "a directory" ? $", such as '{Path.Combine(Location, "state.db")}'." : "."));
        }

        var folder = Path.GetDirectoryName(Location)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunStoreException(Location, $"Could not create the folder of the run store '{Location}': {OsError.Text(e)}. {WhatToDo(folder)}", e);
        }

        _locksFolder = Path.Combine(folder, "locks");

        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Location,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // The store owns one connection for its lifetime; pooling would keep the file open after Dispose.
            Pooling = false,
            DefaultTimeout = 5,
        }.ToString());
        try
        {
            Open();
            _upsertRun = Prepare(SqliteSchema.UpsertRun, "$dag_id", "$run_id", "$logical_date", "$state", "$environment", "$runtime", "$params_json", "$started_at", "$ended_at");
            _upsertTask = Prepare(SqliteSchema.UpsertTask, "$dag_id", "$run_id", "$task_id", "$state", "$try_number", "$reason", "$updated_at");
            _upsertAttempt = Prepare(SqliteSchema.UpsertAttempt, "$dag_id", "$run_id", "$task_id", "$try_number", "$state", "$started_at", "$ended_at", "$exit_code", "$reason", "$output", "$handle", "$log_path", "$runtime");
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>The full path of the store file.</summary>
    public string Location { get; }

    /// <inheritdoc />
    public string StoreId { get; private set; } = string.Empty;

    /// <inheritdoc />
    public DagRunRecord? FindRun(string dagId, string runId) => Read(() =>
    {
        using var command = Query($"SELECT {SqliteSchema.RunColumns} FROM dag_runs WHERE dag_id = $dag_id AND run_id = $run_id", dagId, runId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadRun(reader) : null;
    });

    /// <inheritdoc />
    public IReadOnlyList<DagRunRecord> ListRuns(string dagId) => Read(() =>
    {
        // Sorted in C#: text order of ISO dates is wrong across offsets.
        using var command = Query($"SELECT {SqliteSchema.RunColumns} FROM dag_runs WHERE dag_id = $dag_id", dagId);
        return StoreRules.OrderRuns(ReadAll(command, ReadRun));
    });

    /// <inheritdoc />
    public IReadOnlyList<TaskInstanceRecord> LoadTasks(string dagId, string runId) => Read(() =>
    {
        using var command = Query($"SELECT {SqliteSchema.TaskColumns} FROM task_instances WHERE dag_id = $dag_id AND run_id = $run_id", dagId, runId);
        return StoreRules.OrderTasks(ReadAll(command, ReadTask));
    });

    /// <inheritdoc />
    public IReadOnlyList<AttemptRecord> LoadAttempts(string dagId, string runId, string? taskId = null) => Read(() =>
    {
        using var command = taskId is null
            ? Query($"SELECT {SqliteSchema.AttemptColumns} FROM attempts WHERE dag_id = $dag_id AND run_id = $run_id", dagId, runId)
            : Query($"SELECT {SqliteSchema.AttemptColumns} FROM attempts WHERE dag_id = $dag_id AND run_id = $run_id AND task_id = $task_id", dagId, runId, taskId);
        return StoreRules.OrderAttempts(ReadAll(command, ReadAttempt));
    });

    /// <inheritdoc />
    public IReadOnlyDictionary<string, TimeSpan> PastDurations(string dagId) => Read(() =>
    {
        using var command = Query(
            "SELECT task_id, started_at, ended_at FROM attempts WHERE dag_id = $dag_id AND state = 'success' AND ended_at IS NOT NULL",
            dagId);
        return StoreRules.Medians(ReadAll(command, r => (r.GetString(0), ParseTime(r.GetString(2)) - ParseTime(r.GetString(1)))));
    });

    /// <inheritdoc />
    /// <exception cref="RunStoreException">A record broke a rule of the store (an attempt of a task with no
    /// state, a task of an unknown run, a negative try number, a null id); nothing was written.</exception>
    public void Commit(StoreBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.IsEmpty)
        {
            return;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                // BEGIN IMMEDIATE: take the write lock up front, so another process's writer makes us
                // wait (busy_timeout) instead of failing a read-to-write upgrade mid-batch.
                using var transaction = _connection.BeginTransaction(deferred: false);
                // Runs, then tasks, then attempts: the order the foreign keys need.
                foreach (var run in batch.Runs)
                {
                    WriteRun(transaction, run);
                }

                foreach (var (dagId, runId, task) in batch.Tasks)
                {
                    WriteTask(transaction, dagId, runId, task);
                }

                foreach (var (dagId, runId, attempt) in batch.Attempts)
                {
                    WriteAttempt(transaction, dagId, runId, attempt);
                }

                transaction.Commit();
            }
            catch (SqliteException e)
            {
                // Disposing the transaction above rolled everything back.
                throw new RunStoreException(Location, $"Could not write to the run store '{Location}' ({e.Message}); nothing of the batch was written.", e);
            }
        }
    }

    /// <inheritdoc />
    public IDisposable? TryLockRun(string dagId, string runId, out string? holder)
    {
        var lockPath = RunPaths.LockFile(_locksFolder, dagId, runId);
        try
        {
            return RunLockFile.TryAcquire(lockPath, out holder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunStoreException(Location, $"Could not take the run lock '{lockPath}': {OsError.Text(e)}. {WhatToDo(_locksFolder)}", e);
        }
    }

    /// <summary>Closes the file. Run locks already taken stay held until they are disposed.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _upsertRun.Dispose();
            _upsertTask.Dispose();
            _upsertAttempt.Dispose();
            _connection.Dispose();
        }
    }

    private void Open()
    {
        try
        {
            _connection.Open();
            Execute("PRAGMA busy_timeout = 5000");
            // Read before anything writes: a newer or foreign file must stay byte-for-byte unchanged.
            var version = Convert.ToInt32(Scalar("PRAGMA user_version"), CultureInfo.InvariantCulture);
            if (version > SqliteSchema.Version)
            {
                throw new RunStoreVersionException(Location, version, SqliteSchema.Version);
            }

            // WAL: readers never block the writer; NORMAL: no fsync per commit (WAL stays consistent on power loss,
            // the last commits may be lost, which a resumed run redoes).
            Execute("PRAGMA journal_mode = WAL");
            Execute("PRAGMA synchronous = NORMAL");
            Execute("PRAGMA foreign_keys = ON");
            if (version < SqliteSchema.Version)
            {
                CreateSchema();
            }

            CheckTables();
            StoreId = ReadStoreId();
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteNotADatabase or SqliteCorrupt)
        {
            throw new RunStoreException(
                Location,
                $"'{Location}' is not a Pipelines run store: it is not a SQLite database, or it is damaged ({e.Message}). " +
                "Move it away, or pass another state file.",
                e);
        }
        catch (SqliteException e)
        {
            // Read-only, full, missing or unreachable: SQLite's own text ("unable to open database file") says
            // too little, so the folder is probed for the operating system's reason.
            var folder = Path.GetDirectoryName(Location)!;
            var os = WhyNotWritable(folder) is { } reason ? $" (its folder: {reason})" : string.Empty;
            throw new RunStoreException(Location, $"Could not open the run store '{Location}': {e.Message.TrimEnd('.')}{os}. {WhatToDo(folder)}", e);
        }
    }

    // A store whose schema version says it is complete, but that lost a table (dropped by hand, or a
    // partial copy), would fail later on its first read or write in the middle of a run.
    private void CheckTables()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table'";
        var tables = ReadAll(command, r => r.GetString(0)).ToHashSet(StringComparer.Ordinal);
        var missing = SqliteSchema.Tables.Where(t => !tables.Contains(t)).ToList();
        if (missing.Count > 0)
        {
            throw new RunStoreException(
                Location,
                $"The run store '{Location}' is damaged: it has no table {string.Join(", ", missing)}. " +
                "Move it away (a new, empty store is created in its place), or pass another state file.");
        }
    }

    private static string WhatToDo(string folder) =>
        $"Make '{folder}' writable and give it free space, or pass another state file.";

    // The operating system's reason a new file cannot be written in the folder, or null when one can.
    private static string? WhyNotWritable(string folder)
    {
        var probe = Path.Combine(folder, $".write-probe-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");
        try
        {
            using var stream = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
            stream.WriteByte(0);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return OsError.Text(e);
        }
    }

    // Every read maps a SQLite failure (a damaged file, a lost folder) to a message naming the store.
    private T Read<T>(Func<T> read)
    {
        lock (_gate)
        {
            try
            {
                return read();
            }
            catch (SqliteException e)
            {
                throw new RunStoreException(Location, $"Could not read the run store '{Location}' ({e.Message}). Move it away, or pass another state file.", e);
            }
        }
    }

    // Creates the schema in an empty file, or upgrades an older one, in one transaction.
    private void CreateSchema()
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        // Checked again under the write lock: another process may have created the schema meanwhile.
        var version = Convert.ToInt32(Scalar("PRAGMA user_version", transaction), CultureInfo.InvariantCulture);
        if (version == SqliteSchema.Version)
        {
            return;
        }

        if (version == 0 && Convert.ToInt64(Scalar("SELECT count(*) FROM sqlite_schema", transaction), CultureInfo.InvariantCulture) > 0)
        {
            throw new RunStoreException(
                Location,
                $"'{Location}' is a SQLite database but not a Pipelines run store (it has tables and no schema version). " +
                "Move it away, or pass another state file.");
        }

        if (version == 0)
        {
            Execute(SqliteSchema.Create, transaction);
        }

        if (version == 1)
        {
            Execute(SqliteSchema.AddStoreInfo, transaction); // version 1 → 2: the store's identity
        }

        if (version is 1 or 2)
        {
            Execute(SqliteSchema.AddAttemptRuntime, transaction); // version 2 → 3: the runtime of each attempt
        }

        if (version is 0 or 1)
        {
            Execute($"INSERT INTO store_info (key, value) VALUES ('store_id', '{NewStoreId()}')", transaction);
        }

        Execute($"PRAGMA user_version = {SqliteSchema.Version.ToString(CultureInfo.InvariantCulture)}", transaction);
        transaction.Commit();
    }

    private string ReadStoreId() =>
        Scalar("SELECT value FROM store_info WHERE key = 'store_id'") as string
            ?? throw new RunStoreException(Location, $"The run store '{Location}' has no store id (table store_info); it is damaged. Move it away, or pass another state file.");

    /// <summary>A new random store id: 12 lowercase hex digits.</summary>
    internal static string NewStoreId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private void WriteRun(SqliteTransaction transaction, DagRunRecord run)
    {
        var p = Bind(_upsertRun, transaction);
        p[0].Value = Nullable(run.DagId);
        p[1].Value = Nullable(run.RunId);
        p[2].Value = FormatTime(run.LogicalDate);
        p[3].Value = run.State.ToAirflowName();
        p[4].Value = Nullable(run.Environment);
        p[5].Value = Nullable(run.Runtime);
        p[6].Value = Nullable(run.ParamsJson);
        p[7].Value = FormatTime(run.StartedAt);
        p[8].Value = FormatTime(run.EndedAt);
        _upsertRun.ExecuteNonQuery();
    }

    private void WriteTask(SqliteTransaction transaction, string dagId, string runId, TaskInstanceRecord task)
    {
        var p = Bind(_upsertTask, transaction);
        p[0].Value = Nullable(dagId);
        p[1].Value = Nullable(runId);
        p[2].Value = Nullable(task.TaskId);
        p[3].Value = task.State.ToAirflowName();
        p[4].Value = task.TryNumber;
        p[5].Value = Nullable(task.Reason);
        p[6].Value = FormatTime(task.UpdatedAt);
        _upsertTask.ExecuteNonQuery();
    }

    private void WriteAttempt(SqliteTransaction transaction, string dagId, string runId, AttemptRecord attempt)
    {
        var p = Bind(_upsertAttempt, transaction);
        p[0].Value = Nullable(dagId);
        p[1].Value = Nullable(runId);
        p[2].Value = Nullable(attempt.TaskId);
        p[3].Value = attempt.TryNumber;
        p[4].Value = attempt.State.ToAirflowName();
        p[5].Value = FormatTime(attempt.StartedAt);
        p[6].Value = FormatTime(attempt.EndedAt);
        p[7].Value = attempt.ExitCode is { } code ? code : DBNull.Value;
        p[8].Value = Nullable(attempt.Reason);
        p[9].Value = Nullable(attempt.Output);
        p[10].Value = Nullable(attempt.Handle);
        p[11].Value = Nullable(attempt.LogPath);
        p[12].Value = Nullable(attempt.Runtime);
        _upsertAttempt.ExecuteNonQuery();
    }

    private DagRunRecord ReadRun(SqliteDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        ParseTime(r.GetString(2)),
        ParseState<RunState>(r.GetString(3), StateNames.TryParse),
        r.GetString(4),
        r.GetString(5),
        r.GetString(6),
        ParseTime(r.GetString(7)),
        r.IsDBNull(8) ? null : ParseTime(r.GetString(8)));

    private TaskInstanceRecord ReadTask(SqliteDataReader r) => new(
        r.GetString(0),
        ParseState<TaskState>(r.GetString(1), StateNames.TryParse),
        r.GetInt32(2),
        r.IsDBNull(3) ? null : r.GetString(3),
        ParseTime(r.GetString(4)));

    private AttemptRecord ReadAttempt(SqliteDataReader r) => new(
        r.GetString(0),
        r.GetInt32(1),
        ParseState<AttemptState>(r.GetString(2), StateNames.TryParse),
        ParseTime(r.GetString(3)),
        r.IsDBNull(4) ? null : ParseTime(r.GetString(4)),
        r.IsDBNull(5) ? null : r.GetInt32(5),
        r.IsDBNull(6) ? null : r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7),
        r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(9) ? null : r.GetString(9),
        r.IsDBNull(10) ? null : r.GetString(10));

    private delegate bool StateParser<T>(string name, out T state);

    private T ParseState<T>(string name, StateParser<T> parse) =>
        parse(name, out var state)
            ? state
            : throw new RunStoreException(Location, $"The run store '{Location}' holds an unknown {typeof(T).Name} '{name}'.");

    private static SqliteParameterCollection Bind(SqliteCommand command, SqliteTransaction transaction)
    {
        command.Transaction = transaction;
        return command.Parameters;
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private SqliteCommand Query(string sql, string dagId, string? runId = null, string? taskId = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$dag_id", dagId);
        if (runId is not null)
        {
            command.Parameters.AddWithValue("$run_id", runId);
        }

        if (taskId is not null)
        {
            command.Parameters.AddWithValue("$task_id", taskId);
        }

        return command;
    }

    private static List<T> ReadAll<T>(SqliteCommand command, Func<SqliteDataReader, T> read)
    {
        using var reader = command.ExecuteReader();
        var result = new List<T>();
        while (reader.Read())
        {
            result.Add(read(reader));
        }

        return result;
    }

    private void Execute(string sql, SqliteTransaction? transaction = null)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql, SqliteTransaction? transaction = null)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    // Also for NOT NULL columns: a null id then fails as a constraint (rolled back, RunStoreException)
    // rather than as a binding error.
    private static object Nullable(string? value) => value is null ? DBNull.Value : value;

    private static string FormatTime(DateTimeOffset value) => value.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static object FormatTime(DateTimeOffset? value) => value is { } v ? FormatTime(v) : DBNull.Value;

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None);
}
