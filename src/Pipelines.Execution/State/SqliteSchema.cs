using Pipelines.Execution;
using Pipelines.Validation;

namespace Pipelines.Execution.State;

/// <summary>The tables of the SQLite run store, version <see cref="Version"/> (kept in <c>PRAGMA user_version</c>).</summary>
internal static class SqliteSchema
{
    /// <summary>The schema version this program writes and the highest it reads.</summary>
    public const int Version = 4;

    /// <summary>Every table of the current version.</summary>
    public static readonly ImmutableArray<string> Tables = ["dag_runs", "task_instances", "attempts", "store_info"];

    /// <summary>
    /// Version 2 adds <c>store_info</c>: a random id per store file, so that two stores never share
    /// attempt identities, work folders or logs (two runs of one DAG and date with different <c>--state</c>).
    /// </summary>
    public const string AddStoreInfo = """
        CREATE TABLE store_info (
            key   TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """;

    /// <summary>Version 3 records which runtime started each attempt, so a run resumed on another runtime never adopts an attempt it cannot reach.</summary>
    public const string AddAttemptRuntime = "ALTER TABLE attempts ADD COLUMN runtime TEXT;";

    /// <summary>Version 4 records what each attempt used, where its runtime measured it (Docker): peak memory in bytes and CPU seconds.</summary>
    public const string AddAttemptUsage = "ALTER TABLE attempts ADD COLUMN memory_peak INTEGER; ALTER TABLE attempts ADD COLUMN cpu_seconds REAL;";

    /// <summary>Creates every table of the current version in an empty database.</summary>
    public static string Create { get; } = $"""
        CREATE TABLE dag_runs (
            dag_id       TEXT NOT NULL,
            run_id       TEXT NOT NULL,
            logical_date TEXT NOT NULL,
            state        TEXT NOT NULL CHECK (state IN ({Names<RunState>(StateNames.ToAirflowName)})),
            environment  TEXT NOT NULL,
            runtime      TEXT NOT NULL,
            params_json  TEXT NOT NULL,
            started_at   TEXT NOT NULL,
            ended_at     TEXT,
            PRIMARY KEY (dag_id, run_id)
        ) WITHOUT ROWID;

        CREATE TABLE task_instances (
            dag_id     TEXT NOT NULL,
            run_id     TEXT NOT NULL,
            task_id    TEXT NOT NULL,
            state      TEXT NOT NULL CHECK (state IN ({Names<TaskState>(TaskStates.ToAirflowName)})),
            try_number INTEGER NOT NULL CHECK (try_number >= 0),
            reason     TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (dag_id, run_id, task_id),
            FOREIGN KEY (dag_id, run_id) REFERENCES dag_runs (dag_id, run_id) ON DELETE CASCADE
        ) WITHOUT ROWID;

        CREATE TABLE attempts (
            dag_id     TEXT NOT NULL,
            run_id     TEXT NOT NULL,
            task_id    TEXT NOT NULL,
            try_number INTEGER NOT NULL CHECK (try_number >= 1),
            state      TEXT NOT NULL CHECK (state IN ({Names<AttemptState>(StateNames.ToAirflowName)})),
            started_at TEXT NOT NULL,
            ended_at   TEXT,
            exit_code  INTEGER,
            reason     TEXT,
            output     TEXT,
            handle     TEXT,
            log_path   TEXT,
            runtime    TEXT,
            memory_peak INTEGER,
            cpu_seconds REAL,
            PRIMARY KEY (dag_id, run_id, task_id, try_number),
            FOREIGN KEY (dag_id, run_id, task_id) REFERENCES task_instances (dag_id, run_id, task_id) ON DELETE CASCADE
        );

        {AddStoreInfo}
        """;

    /// <summary>Inserts or replaces a run (the key columns are never updated, so children stay attached).</summary>
    public const string UpsertRun = """
        INSERT INTO dag_runs (dag_id, run_id, logical_date, state, environment, runtime, params_json, started_at, ended_at)
        VALUES ($dag_id, $run_id, $logical_date, $state, $environment, $runtime, $params_json, $started_at, $ended_at)
        ON CONFLICT (dag_id, run_id) DO UPDATE SET
            logical_date = excluded.logical_date, state = excluded.state, environment = excluded.environment,
            runtime = excluded.runtime, params_json = excluded.params_json, started_at = excluded.started_at,
            ended_at = excluded.ended_at
        """;

    /// <summary>Inserts or replaces a task state.</summary>
    public const string UpsertTask = """
        INSERT INTO task_instances (dag_id, run_id, task_id, state, try_number, reason, updated_at)
        VALUES ($dag_id, $run_id, $task_id, $state, $try_number, $reason, $updated_at)
        ON CONFLICT (dag_id, run_id, task_id) DO UPDATE SET
            state = excluded.state, try_number = excluded.try_number, reason = excluded.reason, updated_at = excluded.updated_at
        """;

    /// <summary>Inserts or replaces an attempt.</summary>
    public const string UpsertAttempt = """
        INSERT INTO attempts (dag_id, run_id, task_id, try_number, state, started_at, ended_at, exit_code, reason, output, handle, log_path, runtime, memory_peak, cpu_seconds)
        VALUES ($dag_id, $run_id, $task_id, $try_number, $state, $started_at, $ended_at, $exit_code, $reason, $output, $handle, $log_path, $runtime, $memory_peak, $cpu_seconds)
        ON CONFLICT (dag_id, run_id, task_id, try_number) DO UPDATE SET
            state = excluded.state, started_at = excluded.started_at, ended_at = excluded.ended_at, exit_code = excluded.exit_code,
            reason = excluded.reason, output = excluded.output, handle = excluded.handle, log_path = excluded.log_path, runtime = excluded.runtime,
            memory_peak = excluded.memory_peak, cpu_seconds = excluded.cpu_seconds
        """;

    /// <summary>The columns of a run, in <see cref="SqliteRunStore"/>'s reading order.</summary>
    public const string RunColumns = "dag_id, run_id, logical_date, state, environment, runtime, params_json, started_at, ended_at";

    /// <summary>The columns of a task state, in reading order.</summary>
    public const string TaskColumns = "task_id, state, try_number, reason, updated_at";

    /// <summary>The columns of an attempt, in reading order.</summary>
    public const string AttemptColumns = "task_id, try_number, state, started_at, ended_at, exit_code, reason, output, handle, log_path, runtime, memory_peak, cpu_seconds";

    private static string Names<T>(Func<T, string> name)
        where T : struct, Enum => string.Join(", ", StateNames.AllNames(name).Select(n => $"'{n}'"));
}
