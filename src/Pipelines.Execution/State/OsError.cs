using System.Runtime.InteropServices;

namespace Pipelines.Execution.State;

/// <summary>
/// The operating system's text for a failed file operation ("No space left on device"), without the
/// path .NET appends to it, for messages that name the path themselves.
/// </summary>
internal static class OsError
{
    /// <summary>strerror of the errno behind an <see cref="IOException"/> on Linux and macOS; else the exception's message.</summary>
    public static string Text(Exception error) =>
        // .NET keeps the raw errno as the HResult of the IOExceptions it makes from one on Unix.
        error is IOException { HResult: > 0 and < 4096 } && !OperatingSystem.IsWindows()
            ? Marshal.GetPInvokeErrorMessage(error.HResult)
            : error.Message;
}
