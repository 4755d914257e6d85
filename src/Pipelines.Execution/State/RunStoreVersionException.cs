namespace Pipelines.Execution.State;

/// <summary>
/// The run store file was written by a newer Pipelines (its schema version is higher than this
/// program reads). The file was left unchanged.
/// </summary>
public sealed class RunStoreVersionException(string filePath, int fileVersion, int supportedVersion)
    : RunStoreException(
        filePath,
        $"The run store '{filePath}' has schema version {fileVersion}, but this version of Pipelines reads version {supportedVersion} at most. " +
        "Upgrade Pipelines to use it (the file was not changed).")
{
    /// <summary>The store file.</summary>
    public string FilePath { get; } = filePath;

    /// <summary>The schema version in the file (<c>PRAGMA user_version</c>).</summary>
    public int FileVersion { get; } = fileVersion;

    /// <summary>The highest schema version this program reads.</summary>
    public int SupportedVersion { get; } = supportedVersion;
}
