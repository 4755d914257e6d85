using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Pipelines.Execution.State;

/// <summary>
/// Opening a run store file: refused unchanged when a newer version wrote it, created or upgraded in one transaction
/// when older, checked for its tables, and every SQLite or operating-system failure turned into a message that names the
/// file and what to do.
/// </summary>
internal static class SqliteStoreFile
{
    // SQLITE_CORRUPT and SQLITE_NOTADB: the file is not a (readable) SQLite database.
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    /// <summary>Opens the store's connection, creating or upgrading the schema; returns the store's id.</summary>
    public static string Open(SqliteConnection connection, string location)
    {
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout = 5000");
            // Read before anything writes: a newer or foreign file must stay byte-for-byte unchanged.
            var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);
            if (version > SqliteSchema.Version)
            {
                throw new RunStoreVersionException(location, version, SqliteSchema.Version);
            }

            // WAL: readers never block the writer; NORMAL: no fsync per commit (WAL stays consistent on power loss,
            // the last commits may be lost, which a resumed run redoes).
            Execute(connection, "PRAGMA journal_mode = WAL");
            Execute(connection, "PRAGMA synchronous = NORMAL");
            Execute(connection, "PRAGMA foreign_keys = ON");
            if (version < SqliteSchema.Version)
            {
                CreateSchema(connection, location);
            }

            CheckTables(connection, location);
            return ReadStoreId(connection, location);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteNotADatabase or SqliteCorrupt)
        {
            throw new RunStoreException(
                location,
                $"'{location}' is not a Pipelines run store: it is not a SQLite database, or it is damaged ({e.Message}). " +
                "Move it away, or pass another state file.",
                e);
        }
        catch (SqliteException e)
        {
            // Read-only, full, missing or unreachable: SQLite's own text ("unable to open database file") says
            // too little, so the folder is probed for the operating system's reason.
            var folder = Path.GetDirectoryName(location)!;
            var os = WhyNotWritable(folder) is { } reason ? $" (its folder: {reason})" : string.Empty;
            throw new RunStoreException(location, $"Could not open the run store '{location}': {e.Message.TrimEnd('.')}{os}. {WhatToDo(folder)}", e);
        }
    }

    // A store whose schema version says it is complete, but that lost a table (dropped by hand, or a
    // partial copy), would fail later on its first read or write in the middle of a run.
    private static void CheckTables(SqliteConnection connection, string location)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table'";
        using var reader = command.ExecuteReader();
        var tables = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            tables.Add(reader.GetString(0));
        }

        var missing = SqliteSchema.Tables.Where(t => !tables.Contains(t)).ToList();
        if (missing.Count > 0)
        {
            throw new RunStoreException(
                location,
                $"The run store '{location}' is damaged: it has no table {string.Join(", ", missing)}. " +
                "Move it away (a new, empty store is created in its place), or pass another state file.");
        }
    }

    public static string WhatToDo(string folder) =>
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

    // Creates the schema in an empty file, or upgrades an older one, in one transaction.
    private static void CreateSchema(SqliteConnection connection, string location)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        // Checked again under the write lock: another process may have created the schema meanwhile.
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version", transaction), CultureInfo.InvariantCulture);
        if (version == SqliteSchema.Version)
        {
            return;
        }

        if (version == 0 && Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM sqlite_schema", transaction), CultureInfo.InvariantCulture) > 0)
        {
            throw new RunStoreException(
                location,
                $"'{location}' is a SQLite database but not a Pipelines run store (it has tables and no schema version). " +
                "Move it away, or pass another state file.");
        }

        if (version == 0)
        {
            Execute(connection, SqliteSchema.Create, transaction);
        }

        if (version == 1)
        {
            Execute(connection, SqliteSchema.AddStoreInfo, transaction); // version 1 → 2: the store's identity
        }

        if (version is 1 or 2)
        {
            Execute(connection, SqliteSchema.AddAttemptRuntime, transaction); // version 2 → 3: the runtime of each attempt
        }

        if (version is 1 or 2 or 3)
        {
            Execute(connection, SqliteSchema.AddAttemptUsage, transaction); // version 3 → 4: what each attempt used
        }

        if (version is 0 or 1)
        {
            Execute(connection, $"INSERT INTO store_info (key, value) VALUES ('store_id', '{NewStoreId()}')", transaction);
        }

        Execute(connection, $"PRAGMA user_version = {SqliteSchema.Version.ToString(CultureInfo.InvariantCulture)}", transaction);
        transaction.Commit();
    }

    private static string ReadStoreId(SqliteConnection connection, string location) =>
        Scalar(connection, "SELECT value FROM store_info WHERE key = 'store_id'") as string
            ?? throw new RunStoreException(location, $"The run store '{location}' has no store id (table store_info); it is damaged. Move it away, or pass another state file.");

    /// <summary>A new random store id: 12 lowercase hex digits.</summary>
    internal static string NewStoreId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
