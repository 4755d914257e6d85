namespace Pipelines.Hosting;

/// <summary>The host's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Everything succeeded.</summary>
    public const int Success = 0;

    /// <summary>A task failed.</summary>
    public const int TaskFailed = 1;

    /// <summary>A definition, configuration or command-line error; nothing was started.</summary>
    public const int UsageError = 2;

    /// <summary>Stopped by Ctrl+C (SIGINT).</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM.</summary>
    public const int Terminated = 143;
}
