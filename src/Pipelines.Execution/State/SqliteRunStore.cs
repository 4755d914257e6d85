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
    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly SqliteRecords _records;
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
            throw new RunStoreException(Location, $"Could not create the folder of the run store '{Location}': {OsError.Text(e)}. {SqliteStoreFile.WhatToDo(folder)}", e);
        }

        _locksFolder = Path.Combine(folder, "locks");
        _records = new SqliteRecords(Location);

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
            StoreId = SqliteStoreFile.Open(_connection, Location);
            _upsertRun = Prepare(SqliteSchema.UpsertRun, "$dag_id", "$run_id", "$logical_date", "$state", "$environment", "$runtime", "$params_json", "$started_at", "$ended_at");
            _upsertTask = Prepare(SqliteSchema.UpsertTask, "$dag_id", "$run_id", "$task_id", "$state", "$try_number", "$reason", "$updated_at");
            _upsertAttempt = Prepare(SqliteSchema.UpsertAttempt, "$dag_id", "$run_id", "$task_id", "$try_number", "$state", "$started_at", "$ended_at", "$exit_code", "$reason", "$output", "$handle", "$log_path", "$runtime", "$memory_peak", "$cpu_seconds");
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
    public string StoreId { get; } = string.Empty;

    /// <inheritdoc />
    public DagRunRecord? FindRun(string dagId, string runId) => Read(() =>
    {
        using var command = Query($"SELECT {SqliteSchema.RunColumns} FROM dag_runs WHERE dag_id = $dag_id AND run_id = $run_id", dagId, runId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? _records.ReadRun(reader) : null;
    });

    /// <inheritdoc />
    public IReadOnlyList<DagRunRecord> ListRuns(string dagId) => Read(() =>
    {
        // Sorted in C#: text order of ISO dates is wrong across offsets.
        using var command = Query($"SELECT {SqliteSchema.RunColumns} FROM dag_runs WHERE dag_id = $dag_id", dagId);
        return StoreRules.OrderRuns(ReadAll(command, _records.ReadRun));
    });

    /// <inheritdoc />
    public IReadOnlyList<TaskInstanceRecord> LoadTasks(string dagId, string runId) => Read(() =>
    {
        using var command = Query($"SELECT {SqliteSchema.TaskColumns} FROM task_instances WHERE dag_id = $dag_id AND run_id = $run_id", dagId, runId);
        return StoreRules.OrderTasks(ReadAll(command, _records.ReadTask));
    });

    /// <inheritdoc />
    public IReadOnlyList<AttemptRecord> LoadAttempts(string dagId, string runId, string? taskId = null) => Read(() =>
    {
        using var command = taskId is null
            ? Query($"SELECT {SqliteSchema.AttemptColumns} FROM attempts WHERE dag_id = $dag_id AND run_id = $run_id", dagId, runId)
            : Query($"SELECT {SqliteSchema.AttemptColumns} FROM attempts WHERE dag_id = $dag_id AND run_id = $run_id AND task_id = $task_id", dagId, runId, taskId);
        return StoreRules.OrderAttempts(ReadAll(command, _records.ReadAttempt));
    });

    /// <inheritdoc />
    public IReadOnlyDictionary<string, TimeSpan> PastDurations(string dagId) => Read(() =>
    {
        using var command = Query(
            "SELECT task_id, started_at, ended_at FROM attempts WHERE dag_id = $dag_id AND state = 'success' AND ended_at IS NOT NULL",
            dagId);
        return StoreRules.Medians(ReadAll(command, r => (r.GetString(0), SqliteRecords.ParseTime(r.GetString(2)) - SqliteRecords.ParseTime(r.GetString(1)))));
    });

    /// <inheritdoc />
    public IReadOnlyDictionary<string, TaskHistory> History(string dagId) => Read(() =>
    {
        using var command = Query(
            $"SELECT {SqliteSchema.AttemptColumns} FROM attempts WHERE dag_id = $dag_id AND state = 'success' AND ended_at IS NOT NULL",
            dagId);
        return StoreRules.Histories(ReadAll(command, _records.ReadAttempt));
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
                    SqliteRecords.WriteRun(_upsertRun, transaction, run);
                }

                foreach (var (dagId, runId, task) in batch.Tasks)
                {
                    SqliteRecords.WriteTask(_upsertTask, transaction, dagId, runId, task);
                }

                foreach (var (dagId, runId, attempt) in batch.Attempts)
                {
                    SqliteRecords.WriteAttempt(_upsertAttempt, transaction, dagId, runId, attempt);
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
            throw new RunStoreException(Location, $"Could not take the run lock '{lockPath}': {OsError.Text(e)}. {SqliteStoreFile.WhatToDo(_locksFolder)}", e);
        }
    }

    /// <summary>
    /// Takes the store's scheduler lock (an OS file lock beside the run locks, dropped when its process dies, even by
    /// SIGKILL): one scheduler starts runs from a store at a time. Null, with its holder, when another has it.
    /// </summary>
    public IDisposable? TryLockScheduler(out string? holder)
    {
        var lockPath = Path.Combine(_locksFolder, "scheduler.lock");
        try
        {
            return RunLockFile.TryAcquire(lockPath, out holder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunStoreException(Location, $"Could not take the scheduler lock '{lockPath}': {OsError.Text(e)}. {SqliteStoreFile.WhatToDo(_locksFolder)}", e);
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
}
