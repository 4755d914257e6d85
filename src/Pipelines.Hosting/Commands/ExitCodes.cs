namespace Pipelines.Hosting.Commands;

/// <summary>The host's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Everything succeeded.</summary>
    public const int Success = 0;

    /// <summary>A task failed.</summary>
    public const int TaskFailed = 1;

    /// <summary>What a tool verb did failed (an image that could not be built, an engine that did not answer); nothing was left half done.</summary>
    public const int Failure = 1;

    /// <summary>A definition, configuration or command-line error, or a run store that cannot be used; nothing was started.</summary>
    public const int UsageError = 2;

    /// <summary>
    /// A run stopped because its state could not be written (the run store or a log file: a full disk, a
    /// read-only folder): its attempts were stopped, and the same command resumes it once the cause is fixed.
    /// 74 is <c>EX_IOERR</c> of <c>sysexits.h</c>.
    /// </summary>
    public const int StateError = 74;

    /// <summary>Stopped by Ctrl+C (SIGINT).</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM.</summary>
    public const int Terminated = 143;
}
