namespace Pipelines.Execution.State;

/// <summary>
/// A run stopped because its state could not be written once it had started: a commit to the run
/// store or a write of an attempt's log file failed (a full disk, a folder that became read-only or
/// went away). The executor then stopped the running attempts as on cancellation (SIGTERM, then
/// SIGKILL after the grace period), started nothing else and wrote nothing more, so the store holds
/// the last state it committed whole: running the same DAG and date again resumes from there.
/// </summary>
public sealed class RunStateWriteException : Exception
{
    /// <summary>Creates the exception for a failed write of <paramref name="path"/>.</summary>
    /// <param name="path">The run store file or log file that could not be written.</param>
    /// <param name="what">What the file is, for the message: <c>the run store</c>, <c>the log file</c>.</param>
    /// <param name="innerException">The failure: a <see cref="RunStoreException"/>, or the operating system's <see cref="IOException"/>.</param>
    public RunStateWriteException(string path, string what, Exception innerException)
        : base(
            $"Could not write {what} '{path}': {Reason(innerException)}. Running attempts were stopped and nothing else was started.",
            innerException) => Path = path;

    /// <summary>The run store file or log file that could not be written.</summary>
    public string Path { get; }

    // The store's own message and .NET's I/O messages repeat the path; SQLite's or the operating system's text is the reason.
    private static string Reason(Exception error) => OsError.Text(error is RunStoreException { InnerException: { } cause } ? cause : error).TrimEnd('.');
}
