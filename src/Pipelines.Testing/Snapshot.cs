using System.Runtime.CompilerServices;
using System.Text;

namespace Pipelines.Testing;

/// <summary>
/// Compares a text with a reviewed <c>NAME.verified.yaml</c> beside the calling test file. On a
/// mismatch (or when there is none yet) it writes <c>NAME.received.yaml</c> there and fails with a
/// readable diff. To accept every received file, run the tests once with
/// <c>PIPELINES_ACCEPT_SNAPSHOTS=1</c>: the verified files are written and the tests pass. Under
/// <c>CI=true</c> nothing is accepted and a missing verified file fails.
/// </summary>
public static class Snapshot
{
    /// <summary>The environment variable that accepts received snapshots.</summary>
    public const string AcceptVariable = "PIPELINES_ACCEPT_SNAPSHOTS";

    /// <summary>
    /// Fails unless <paramref name="actual"/> equals the verified snapshot <paramref name="name"/>
    /// (a path relative to the calling file's folder, without extension, such as
    /// <c>snapshots/customers_etl.kubernetes</c>).
    /// </summary>
    /// <exception cref="SnapshotMismatchException">The snapshot is missing or differs; the message holds a diff.</exception>
    public static void Match(string actual, string name, [CallerFilePath] string callerFile = "")
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var folder = Path.GetDirectoryName(callerFile) ?? throw new ArgumentException("The caller's file is unknown.", nameof(callerFile));
        var accept = Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true"
            && Environment.GetEnvironmentVariable("CI") != "true";
        MatchFiles(actual, Path.Combine(folder, name + ".verified.yaml"), Path.Combine(folder, name + ".received.yaml"), accept);
    }

    internal static void MatchFiles(string actual, string verifiedPath, string receivedPath, bool accept)
    {
        actual = actual.ReplaceLineEndings("\n");
        var verified = File.Exists(verifiedPath) ? File.ReadAllText(verifiedPath).ReplaceLineEndings("\n") : null;
        if (verified == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(verifiedPath)!);
        if (accept)
        {
            File.WriteAllText(verifiedPath, actual);
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, actual);
        var message = new StringBuilder();
        if (verified is null)
        {
            message.AppendLine($"No verified snapshot yet: {verifiedPath}");
            message.AppendLine($"Review {receivedPath}; accept it by renaming it, or run the tests with {AcceptVariable}=1.");
        }
        else
        {
            message.AppendLine($"The snapshot differs from {verifiedPath}");
            message.AppendLine($"Received: {receivedPath}; accept it by renaming it, or run the tests with {AcceptVariable}=1.");
            message.Append(LineDiff.Unified(verified, actual));
        }

        throw new SnapshotMismatchException(message.ToString());
    }
}

/// <summary>A snapshot is missing or differs from what was rendered.</summary>
public sealed class SnapshotMismatchException(string message) : Exception(message);
