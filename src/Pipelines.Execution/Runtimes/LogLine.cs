namespace Pipelines.Execution.Runtimes;

/// <summary>Which stream a log line came from.</summary>
public enum LogStream
{
    /// <summary>Standard output and standard error as one stream, in the order they were written (the process runtime, Kubernetes).</summary>
    Combined,

    /// <summary>Standard output.</summary>
    Stdout,

    /// <summary>Standard error.</summary>
    Stderr,
}

/// <summary>One line an attempt wrote.</summary>
/// <param name="Stream">The stream.</param>
/// <param name="Timestamp">When it was written or read, as the runtime knows it (the process and Docker runtimes stamp a line when they read it; Kubernetes stamps each line).</param>
/// <param name="Text">The line without its line break; never holds one.</param>
/// <param name="Cursor">
/// Where the runtime's log is after this line, when the runtime offers one; resuming after it delivers the next line and
/// nothing before. A runtime need not put one on every line: the executor keeps the last it saw, and when it adopts an
/// attempt it drops the lines it already has that the runtime delivers again.
/// </param>
public readonly record struct LogLine(LogStream Stream, DateTimeOffset Timestamp, string Text, LogCursor? Cursor = null);

/// <summary>
/// A position in an attempt's log, opaque to the executor: the process runtime's byte offset in its log file, the Docker
/// runtime's count of whole lines per stream (<c>stdout,stderr</c>), Kubernetes' a time and the lines seen at it.
/// </summary>
/// <param name="Value">The runtime's text for the position; no line breaks.</param>
public readonly record struct LogCursor(string Value)
{
    /// <inheritdoc />
    public override string ToString() => Value;
}
