using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Pipelines.Execution.State;

/// <summary>
/// Records as rows of the run store: states by their lowercase Airflow names, times as ISO-8601 text with their offset
/// (round-trip format), nulls as SQL NULL. A state the program does not know is an error that names the file.
/// </summary>
internal sealed class SqliteRecords(string location)
{
    private const string TimeFormat = "o";

    private delegate bool StateParser<T>(string name, out T state);

    public static void WriteRun(SqliteCommand upsert, SqliteTransaction transaction, DagRunRecord run)
    {
        var p = Bind(upsert, transaction);
        p[0].Value = Nullable(run.DagId);
        p[1].Value = Nullable(run.RunId);
        p[2].Value = FormatTime(run.LogicalDate);
        p[3].Value = run.State.ToAirflowName();
        p[4].Value = Nullable(run.Environment);
        p[5].Value = Nullable(run.Runtime);
        p[6].Value = Nullable(run.ParamsJson);
        p[7].Value = FormatTime(run.StartedAt);
        p[8].Value = FormatTime(run.EndedAt);
        upsert.ExecuteNonQuery();
    }

    public static void WriteTask(SqliteCommand upsert, SqliteTransaction transaction, string dagId, string runId, TaskInstanceRecord task)
    {
        var p = Bind(upsert, transaction);
        p[0].Value = Nullable(dagId);
        p[1].Value = Nullable(runId);
        p[2].Value = Nullable(task.TaskId);
        p[3].Value = task.State.ToAirflowName();
        p[4].Value = task.TryNumber;
        p[5].Value = Nullable(task.Reason);
        p[6].Value = FormatTime(task.UpdatedAt);
        upsert.ExecuteNonQuery();
    }

    public static void WriteAttempt(SqliteCommand upsert, SqliteTransaction transaction, string dagId, string runId, AttemptRecord attempt)
    {
        var p = Bind(upsert, transaction);
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
        p[13].Value = attempt.MemoryPeakBytes is { } peak ? peak : DBNull.Value;
        p[14].Value = attempt.CpuSeconds is { } cpu ? cpu : DBNull.Value;
        upsert.ExecuteNonQuery();
    }

    public DagRunRecord ReadRun(SqliteDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        ParseTime(r.GetString(2)),
        ParseState<RunState>(r.GetString(3), StateNames.TryParse),
        r.GetString(4),
        r.GetString(5),
        r.GetString(6),
        ParseTime(r.GetString(7)),
        r.IsDBNull(8) ? null : ParseTime(r.GetString(8)));

    public TaskInstanceRecord ReadTask(SqliteDataReader r) => new(
        r.GetString(0),
        ParseState<TaskState>(r.GetString(1), StateNames.TryParse),
        r.GetInt32(2),
        r.IsDBNull(3) ? null : r.GetString(3),
        ParseTime(r.GetString(4)));

    public AttemptRecord ReadAttempt(SqliteDataReader r) => new(
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
        r.IsDBNull(10) ? null : r.GetString(10))
    {
        MemoryPeakBytes = r.IsDBNull(11) ? null : r.GetInt64(11),
        CpuSeconds = r.IsDBNull(12) ? null : r.GetDouble(12),
    };

    private T ParseState<T>(string name, StateParser<T> parse) =>
        parse(name, out var state)
            ? state
            : throw new RunStoreException(location, $"The run store '{location}' holds an unknown {typeof(T).Name} '{name}'.");

    private static SqliteParameterCollection Bind(SqliteCommand command, SqliteTransaction transaction)
    {
        command.Transaction = transaction;
        return command.Parameters;
    }

    // Also for NOT NULL columns: a null id then fails as a constraint (rolled back, RunStoreException)
    // rather than as a binding error.
    private static object Nullable(string? value) => value is null ? DBNull.Value : value;

    private static string FormatTime(DateTimeOffset value) => value.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static object FormatTime(DateTimeOffset? value) => value is { } v ? FormatTime(v) : DBNull.Value;

    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None);
}
