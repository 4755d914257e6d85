using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pipelines.Execution.State;

/// <summary>
/// Where a project's run state lives: the store file under <c>&lt;root&gt;/.pipelines/</c>, where root is
/// the folder of <c>pipelines.json</c>, and the attempt logs beside the store.
/// </summary>
public static class RunPaths
{
    /// <summary>The folder beside <c>pipelines.json</c> that holds the state and logs.</summary>
    public const string StateFolderName = ".pipelines";

    // Longest readable part kept of an id in a file name; the hash keeps cut names unique.
    private const int MaxSegment = 100;
    private const int HashLength = 10;

    /// <summary>The default run store file: <c>&lt;root&gt;/.pipelines/state.db</c>.</summary>
    public static string DefaultStatePath(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return Path.Combine(root, StateFolderName, "state.db");
    }

    /// <summary>
    /// Where the attempt logs of the store at <paramref name="storePath"/> go: beside it, in <c>logs/</c> for
    /// the default <c>state.db</c> (so <c>.pipelines/logs/</c>), in <c>logs-&lt;name&gt;/</c> for a store
    /// <c>&lt;name&gt;.db</c>. Two stores never share log files, even in one folder.
    /// </summary>
    public static string LogFolder(string storePath)
    {
        ArgumentNullException.ThrowIfNull(storePath);
        var full = Path.GetFullPath(storePath);
        var name = Path.GetFileNameWithoutExtension(full);
        return Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileName(full) == "state.db" ? "logs" : $"logs-{Segment(name)}");
    }

    /// <summary>
    /// The log file of one attempt: <c>&lt;logFolder&gt;/&lt;dag&gt;/&lt;run&gt;/&lt;task&gt;/&lt;try&gt;.log</c>.
    /// Each id is kept as it is when it is a safe file name (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>; not starting with a dot);
    /// otherwise other characters become <c>_</c> and a short hash of the id is appended, so
    /// <c>manual__2026-11-25T00:00:00+00:00</c> stays readable and two ids never share a folder.
    /// </summary>
    public static string LogPath(string logFolder, string dagId, string runId, string taskId, int tryNumber)
    {
        ArgumentNullException.ThrowIfNull(logFolder);
        ArgumentOutOfRangeException.ThrowIfLessThan(tryNumber, 1);
        return Path.Combine(
            logFolder,
            Segment(dagId),
            Segment(runId),
            Segment(taskId),
            tryNumber.ToString(CultureInfo.InvariantCulture) + ".log");
    }

    /// <summary>
    /// The lock file of a run in <paramref name="locksFolder"/>: <c>&lt;dag&gt;__&lt;run&gt;-&lt;hash&gt;.lock</c>,
    /// where the hash covers both exact ids (cleaning alone could map two runs to one name).
    /// </summary>
    internal static string LockFile(string locksFolder, string dagId, string runId)
    {
        ArgumentNullException.ThrowIfNull(dagId);
        ArgumentNullException.ThrowIfNull(runId);
        var key = $"{dagId.Length.ToString(CultureInfo.InvariantCulture)}:{dagId}{runId}";
        return Path.Combine(locksFolder, $"{Clean(dagId, 60)}__{Clean(runId, 60)}-{Hash(key, 12)}.lock");
    }

    /// <summary>One path segment for an id: the id itself when safe, else a cleaned, hashed form.</summary>
    internal static string Segment(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (IsSafe(id))
        {
            return id;
        }

        var cleaned = Clean(id, MaxSegment - HashLength - 1);
        return cleaned.Length == 0 ? Hash(id, HashLength) : $"{cleaned}-{Hash(id, HashLength)}";
    }

    // A leading dot would hide the folder (and "." / ".." are not names).
    private static bool IsSafe(string id) =>
        id.Length is > 0 and <= MaxSegment && id[0] != '.' && id.All(IsSafeChar);

    private static bool IsSafeChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';

    private static string Clean(string id, int maxLength)
    {
        var text = new StringBuilder(Math.Min(id.Length, maxLength));
        foreach (var c in id)
        {
            if (text.Length == maxLength)
            {
                break;
            }

            text.Append(IsSafeChar(c) ? c : '_');
        }

        return text.ToString().TrimStart('.');
    }

    private static string Hash(string text, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length];
}
